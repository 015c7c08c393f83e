// SARIF 2.1.0 (docs/formats.md): one run, every rule that ran, one result per finding.
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fingerprintOf, type Finding, type Location as FindingLocation } from '@kvm-rules/core';
import type { Location, Log, ReportingDescriptor, Result, Run } from 'sarif';
import { links, type Links } from './links.js';
import { baseOf, rulesOf, toolVersion } from './shared.js';
import type { CheckResult, Formatter, RuleInfo } from './types.js';

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

function physical(location: FindingLocation, result: CheckResult): Location['physicalLocation'] {
  const artifactLocation = isAbsolute(location.file)
    ? { uri: pathToFileURL(location.file).href }
    : { uri: relativeUri(location.file), uriBaseId: baseOf(location.file, result) === 'kernel' ? 'KERNEL_ROOT' : 'PROJECT_ROOT' };
  return { artifactLocation, region: { startLine: location.line, startColumn: location.column } };
}

/** SARIF wants absolute help URIs: the rule page's https address, when one is known (links.ts). */
function descriptor(rule: RuleInfo, links: Links): ReportingDescriptor {
  const summary = rule.summary || rule.description || rule.id;
  const entry: ReportingDescriptor = {
    id: rule.id,
    shortDescription: { text: summary },
    fullDescription: { text: rule.description && rule.kind ? `${rule.description} (rule kind ${rule.kind})` : summary },
    defaultConfiguration: { level: rule.severity },
  };
  const url = links.rule(rule);
  if (url) {
    entry.helpUri = url;
    entry.help = { text: `${rule.description || summary} See ${url}.` };
  }
  if (rule.docs) entry.properties = { docs: rule.docs, ...(rule.kind ? { kind: rule.kind } : {}) };
  return entry;
}

function sarifResult(finding: Finding, ruleIndex: number | undefined, result: CheckResult): Result {
  const entry: Result = {
    ruleId: finding.ruleId,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
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

const sarif: Formatter = (result, { docsBaseUrl }) => {
  const rules = rulesOf(result);
  const where = links(docsBaseUrl);
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  const run: Run = {
    tool: {
      driver: {
        name: 'kvm-rules',
        version: toolVersion,
        semanticVersion: toolVersion,
        ...(where.home ? { informationUri: where.home } : {}),
        rules: rules.map((rule) => descriptor(rule, where)),
      },
    },
    originalUriBaseIds: {
      PROJECT_ROOT: { uri: directoryUri(process.cwd()) },
      ...(result.kernel ? { KERNEL_ROOT: { uri: directoryUri(result.kernel.root) } } : {}),
    },
    results: result.findings.map((finding) => sarifResult(finding, index.get(finding.ruleId), result)),
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
