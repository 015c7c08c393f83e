import type { Location } from '../model/location.js';
import type { Plugin } from '../model/plugin.js';
import type { Profile } from '../model/profile.js';
import { buildTimeline, type Timeline } from './timeline.js';

/** The root node rules see: one profile against the selected plugins. */
export interface Check {
  kind: 'Check';
  profile: Profile;
  plugins: Plugin[];
  timelines: Timeline[];
  /** Every hook role some loaded profile knows; a plugin hook outside this set is a typo. */
  knownRoles: Set<string>;
  location: Location;
}

export function buildCheck(profile: Profile, plugins: Plugin[], allProfiles: Profile[]): Check {
  const knownRoles = new Set<string>();
  for (const p of allProfiles) for (const role of p.hooks.keys()) knownRoles.add(role);
  const timelines = plugins.flatMap((plugin) => plugin.modules.map((module) => buildTimeline(plugin, module, profile)));
  return { kind: 'Check', profile, plugins, timelines, knownRoles, location: profile.location };
}
