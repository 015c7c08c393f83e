import type { JSONSchema } from 'json-schema-to-ts';
import type { Check } from '../engine/check.js';
import type { Timeline, TimelineEvent } from '../engine/timeline.js';
import type { Location } from '../model/location.js';
import type { FindingSeverity, RelatedLocation } from '../model/finding.js';
import type { Profile } from '../model/profile.js';
import { RuleCreator, type TimelineRule } from './rule-creator.js';

// The names are typescript-eslint's (@typescript-eslint/utils: RuleModule, RuleMetaData,
// RuleMetaDataDocs, RuleContext, RuleListener, ReportDescriptor), for the same parts of a rule,
// with timeline nodes where ESLint has AST nodes.

/** What a rule can be handed: the whole check, one timeline, or one event of it. */
export type RuleNode = Check | Timeline | TimelineEvent;
/** The node of one kind: `RuleNodeOfKind<'Phase'>` is a PhaseEvent. */
export type RuleNodeOfKind<K extends RuleNode['kind']> = Extract<RuleNode, { kind: K }>;

/** Listeners keyed by node kind, ESLint style; `Kind:exit` runs after the node's children. */
export type RuleListener = {
  [K in RuleNode['kind']]?: (node: RuleNodeOfKind<K>) => void;
} & {
  [K in RuleNode['kind'] as `${K}:exit`]?: (node: RuleNodeOfKind<K>) => void;
};

/** @deprecated Use RuleListener, typescript-eslint's name for it. */
export type TimelineListener = RuleListener;

export interface ReportDescriptor<MessageIds extends string> {
  node: RuleNode;
  messageId: MessageIds;
  data?: Record<string, string | number>;
  /** Overrides the node's own location. */
  location?: Location;
  related?: RelatedLocation[];
  /** Overrides the arch of the timeline being visited (for findings about another plugin or the profile). */
  arch?: string;
  /**
   * This report's own severity, from the rule's options (a certain failure an error, a window a
   * warning): capped by the severity the rule is configured with; 'off' drops the report.
   */
  severity?: FindingSeverity | 'off';
}

export interface RuleContext<MessageIds extends string, Options extends readonly unknown[]> {
  /** The id of the declarative rule being run (rules/<id>.yaml). */
  id: string;
  options: Options;
  profile: Profile;
  report(descriptor: ReportDescriptor<MessageIds>): void;
}

export interface RuleMetaDataDocs {
  description: string;
  /** Whether the default rule set uses this kind. */
  recommended?: boolean;
}

export interface RuleMetaData<MessageIds extends string, Options extends readonly unknown[] = readonly unknown[]> {
  type: 'problem' | 'suggestion';
  docs: RuleMetaDataDocs;
  messages: Record<MessageIds, string>;
  /** One JSON Schema per option, as in ESLint; checked with ajv when a rule file is loaded. */
  schema: readonly JSONSchema[];
  /** What a rule file's options are merged over (deeply, for objects) before `create` sees them. */
  defaultOptions?: Options;
}

/** A rule kind as createRule() makes it: its docs url set, its default options in its meta. */
export interface RuleModule<MessageIds extends string = string, Options extends readonly unknown[] = readonly unknown[]> {
  name: string;
  meta: RuleMetaData<MessageIds, Options> & { docs: RuleMetaDataDocs & { url: string }; defaultOptions: Options };
  create(context: RuleContext<MessageIds, Options>): RuleListener;
}

/** What createRule() is given, as typescript-eslint's RuleCreator takes it: the default options in meta. */
export interface RuleWithMetaAndName<Options extends readonly unknown[], MessageIds extends string> {
  name: string;
  meta: RuleMetaData<MessageIds, Options> & { defaultOptions: Options };
  create(context: RuleContext<MessageIds, Options>, options: Options): RuleListener;
}

/** A rule kind written before meta.defaultOptions: its default options beside meta. */
export interface RuleWithDefaultOptions<Options extends readonly unknown[], MessageIds extends string> {
  name: string;
  meta: RuleMetaData<MessageIds, Options>;
  /** @deprecated Give them in meta (meta.defaultOptions), where typescript-eslint's RuleCreator now takes them. */
  defaultOptions: Options;
  create(context: RuleContext<MessageIds, Options>, options: Options): RuleListener;
}

export function ruleDocsUrl(name: string): string {
  return `docs/rules/${name}.md`;
}

/**
 * Makes a rule kind with typescript-eslint's RuleCreator: the docs url comes from the name, and
 * the options the engine passes are merged over `meta.defaultOptions` (deeply, for objects)
 * before `create` sees them. Default options given beside `meta` (the place RuleCreator took
 * them before) are still taken, and moved into it.
 */
export function createRule<Options extends readonly unknown[], MessageIds extends string>(
  rule: RuleWithMetaAndName<Options, MessageIds> | RuleWithDefaultOptions<Options, MessageIds>,
): RuleModule<MessageIds, Options>;
export function createRule({ defaultOptions, meta, ...rule }: TimelineRule & { defaultOptions?: readonly unknown[] }): RuleModule {
  // A kind written in JavaScript may give none: it takes no options, as RuleCreator has it.
  return ruleCreator({ ...rule, meta: { ...meta, defaultOptions: meta.defaultOptions ?? defaultOptions ?? [] } });
}

const ruleCreator = RuleCreator(ruleDocsUrl);
