// SARIF 2.1.0 (docs/formats.md): one run, every rule that ran, one result per finding.
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fingerprintOf, type Finding, type Location as FindingLocation } from '@kvm-rules/core';
import type { Location, Log, ReportingDescriptor, Result, Run } from 'sarif';
import { repositoryRoot, rulesOf, toolVersion } from './shared.js';
import type { CheckResult, RuleInfo } from './types.js';

/** The key of kvm-rules' fingerprint in `partialFingerprints` (see fingerprintOf). */
export const FINGERPRINT_KEY = 'kvmRulesFinding/v1';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

function directoryUri(path: string): string {
  const href = pathToFileURL(path).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function relativeUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

/**
 * Where a location's file is relative to. With --kernel, findings point into the tree
 * (KERNEL_ROOT), but some related locations point into a profile or plugin of this project,
 * relative to the working directory (PROJECT_ROOT): a file found there and not in the tree.
 */
function baseOf(file: string, result: CheckResult): 'KERNEL_ROOT' | 'PROJECT_ROOT' {
  if (!result.kernel) return 'PROJECT_ROOT';
  if (existsSync(join(result.kernel.root, file))) return 'KERNEL_ROOT';
  return existsSync(resolve(file)) ? 'PROJECT_ROOT' : 'KERNEL_ROOT';
}

function physical(location: FindingLocation, result: CheckResult): Location['physicalLocation'] {
  const artifactLocation = isAbsolute(location.file)
    ? { uri: pathToFileURL(location.file).href }
    : { uri: relativeUri(location.file), uriBaseId: baseOf(location.file, result) };
  return { artifactLocation, region: { startLine: location.line, startColumn: location.column } };
}

/** SARIF wants absolute help URIs: the file URL of the rule kind's page. */
function descriptor(rule: RuleInfo): ReportingDescriptor {
  const summary = rule.summary || rule.description || rule.id;
  const entry: ReportingDescriptor = {
    id: rule.id,
    shortDescription: { text: summary },
    fullDescription: { text: rule.description && rule.kind ? `${rule.description} (rule kind ${rule.kind})` : summary },
    defaultConfiguration: { level: rule.severity },
  };
  if (rule.docs) {
    entry.helpUri = pathToFileURL(resolve(rule.docs)).href;
    entry.help = { text: `See ${rule.docs}.` };
    entry.properties = { docs: rule.docs, ...(rule.kind ? { kind: rule.kind } : {}) };
  }
  return entry;
}

function sarifResult(finding: Finding, ruleIndex: number, result: CheckResult): Result {
  const entry: Result = {
    ruleId: finding.ruleId,
    ruleIndex,
    level: finding.severity,
    message: { text: finding.message },
  };
  if (finding.location) entry.locations = [{ physicalLocation: physical(finding.location, result) }];
  if (finding.related?.length) {
    entry.relatedLocations = finding.related.map((related, id) => ({
      id,
      physicalLocation: physical(related.location, result),
      message: { text: related.message },
    }));
  }
  entry.partialFingerprints = { [FINGERPRINT_KEY]: fingerprintOf(finding) };
  entry.properties = { arch: finding.arch, profile: finding.profile };
  return entry;
}

const sarif = (result: CheckResult): string => {
  const rules = rulesOf(result);
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  const run: Run = {
    tool: {
      driver: {
        name: 'kvm-rules',
        version: toolVersion,
        semanticVersion: toolVersion,
        informationUri: pathToFileURL(join(repositoryRoot, 'README.md')).href,
        rules: rules.map(descriptor),
      },
    },
    originalUriBaseIds: {
      PROJECT_ROOT: { uri: directoryUri(process.cwd()) },
      ...(result.kernel ? { KERNEL_ROOT: { uri: directoryUri(result.kernel.root) } } : {}),
    },
    results: result.findings.map((finding) => sarifResult(finding, index.get(finding.ruleId)!, result)),
    properties: {
      profile: result.profile,
      archs: result.archs,
      ...(Object.keys(result.variants).length > 0 ? { variants: result.variants } : {}),
      ...(result.kernel ? { kernelVersion: result.kernel.version } : {}),
    },
  };
  const log: Log = { $schema: SCHEMA, version: '2.1.0', runs: [run] };
  return JSON.stringify(log, null, 2) + '\n';
};

export default sarif;
