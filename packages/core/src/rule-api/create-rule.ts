import { RuleCreator } from './rule-creator.js';
import type { JSONSchema } from 'json-schema-to-ts';
import type { Check } from '../engine/check.js';
import type { Timeline, TimelineEvent } from '../engine/timeline.js';
import type { Location } from '../model/location.js';
import type { FindingSeverity, RelatedLocation } from '../model/finding.js';
import type { Profile } from '../model/profile.js';

/** What a rule can be handed: the whole check, one timeline, or one event of it. */
export type RuleNode = Check | Timeline | TimelineEvent;
type NodeOfKind<K extends RuleNode['kind']> = Extract<RuleNode, { kind: K }>;

/** Listeners keyed by node kind, ESLint style; `Kind:exit` runs after the node's children. */
export type TimelineListener = {
  [K in RuleNode['kind']]?: (node: NodeOfKind<K>) => void;
} & {
  [K in RuleNode['kind'] as `${K}:exit`]?: (node: NodeOfKind<K>) => void;
};

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

export interface RuleDocs {
  description: string;
  /** Whether the default rule set uses this kind. */
  recommended?: boolean;
}

export interface RuleMeta<MessageIds extends string> {
  type: 'problem' | 'suggestion';
  docs: RuleDocs;
  messages: Record<MessageIds, string>;
  /** One JSON Schema per option, as in ESLint; checked with ajv when a rule file is loaded. */
  schema: readonly JSONSchema[];
}

export interface RuleModule<MessageIds extends string = string, Options extends readonly unknown[] = readonly unknown[]> {
  name: string;
  meta: RuleMeta<MessageIds> & { docs: RuleDocs & { url: string } };
  defaultOptions: Options;
  create(context: RuleContext<MessageIds, Options>): TimelineListener;
}

export function ruleDocsUrl(name: string): string {
  return `docs/rules/${name}.md`;
}

/**
 * Makes a rule kind with typescript-eslint's RuleCreator: the docs url comes from the name, and
 * the options the engine passes are merged over `defaultOptions` (deeply, for objects) before
 * `create` sees them. The engine's context has ESLint's shape (`options`, `report`) with
 * timeline nodes in place of AST nodes, so the one cast below is where the two meet.
 */
export function createRule<Options extends readonly unknown[], MessageIds extends string>(spec: {
  name: string;
  meta: RuleMeta<MessageIds>;
  defaultOptions: Options;
  create(context: RuleContext<MessageIds, Options>, options: Options): TimelineListener;
}): RuleModule<MessageIds, Options> {
  const rule = RuleCreator<RuleDocs>(ruleDocsUrl)<Options, MessageIds>({
    name: spec.name,
    meta: spec.meta as never,
    defaultOptions: spec.defaultOptions,
    create: (context, options) => spec.create(context as unknown as RuleContext<MessageIds, Options>, options) as never,
  });
  return rule as unknown as RuleModule<MessageIds, Options>;
}
