export { pluginSchema, type PluginFile } from './plugin.js';
export { profileSchema, type ProfileFile } from './profile.js';
export { ruleFileSchema, severity, type RuleFile, type Severity } from './rule-file.js';
export { baselineSchema, type BaselineFile } from './baseline.js';
export { configSchema, type ConfigFile, type RuleSetting } from './config.js';
export { pluginPackageSchema, PLUGIN_API_VERSION, type PluginPackageFile } from './plugin-package.js';
export { cacheSchema, type CacheFile } from './cache.js';
