// Where a reader of a report finds out more: the rule pages and kvm-rules itself, as https
// addresses on the web, never paths of the machine that ran the check (docs/formats.md).
// They come from package.json's "repository" (or a GitHub-style "homepage"): kvm-rules' own for
// the default rule set, unless the configuration's docsBaseUrl says where its pages are; a
// plugin package's own for the rule kinds it brings. No address: the reports say none.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleInfo } from './types.js';

/** What package.json says about where a package lives. */
export interface PackageLinks {
  repository?: string | { type?: string; url?: string; directory?: string };
  homepage?: string;
}

/** npm's shorthands for a repository ("owner/repo", "github:owner/repo", "gitlab:…", "bitbucket:…"). */
const SHORTHAND_HOSTS: Record<string, string> = { github: 'github.com', gitlab: 'gitlab.com', bitbucket: 'bitbucket.org' };
/** Hosts whose "homepage" is the repository's page (npm's default: https://github.com/owner/repo#readme). */
const REPOSITORY_HOSTS = new Set(Object.values(SHORTHAND_HOSTS));

/** An https URL as given (no credentials, query or fragment), without a trailing slash; undefined for anything else. */
function httpsUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.hostname === '') return undefined;
  return `https://${url.host}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * The https address of a repository from package.json's "repository": an https URL, a git URL
 * (git+https://…, git@host:owner/repo.git, ssh://git@host/…, git://host/…) or npm's shorthand.
 */
function repositoryAddress(spec: string): string | undefined {
  const text = spec.trim();
  const shorthand = /^(?:(github|gitlab|bitbucket):)?([\w.-]+)\/([\w.-]+)$/.exec(text);
  if (shorthand) return `https://${SHORTHAND_HOSTS[shorthand[1] ?? 'github']}/${shorthand[2]}/${shorthand[3]!.replace(/\.git$/, '')}`;
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)(.+)$/.exec(text);
  const url = scp ? `https://${scp[1]}/${scp[2]}` : text.replace(/^git\+/, '').replace(/^(?:ssh:\/\/(?:[^@/]+@)?|git:\/\/)/, 'https://');
  return httpsUrl(url)?.replace(/\.git$/, '');
}

/** Where a package's repository is on the web, and the package's folder in it. */
export function repositoryOf(pkg: PackageLinks): { url: string; directory: string } | undefined {
  const spec = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  const fromRepository = spec === undefined ? undefined : repositoryAddress(spec);
  const homepage = pkg.homepage === undefined ? undefined : httpsUrl(pkg.homepage);
  const url = fromRepository ?? (homepage && REPOSITORY_HOSTS.has(new URL(homepage).hostname) ? homepage : undefined);
  if (url === undefined) return undefined;
  const directory = typeof pkg.repository === 'object' ? (pkg.repository.directory ?? '').replace(/^\/+|\/+$/g, '') : '';
  return { url, directory };
}

/** The page of kvm-rules itself: an https "homepage", else the repository. */
export function homepageOf(pkg: PackageLinks): string | undefined {
  return (pkg.homepage === undefined ? undefined : httpsUrl(pkg.homepage)) ?? repositoryOf(pkg)?.url;
}

/** A file of a repository as its host shows it, on the default branch (`/blob/HEAD/`, as GitHub and GitLab read it). */
export function fileUrl(repository: { url: string; directory: string }, path: string): string {
  const file = [repository.directory, path].filter(Boolean).join('/');
  return `${repository.url}/blob/HEAD/${file.split('/').map(encodeURIComponent).join('/')}`;
}

/** A docsBaseUrl as the folder it names: http(s) only, ending in "/"; undefined for anything else. */
export function docsBase(url: string | undefined): string | undefined {
  if (url === undefined || !/^https?:\/\/[^/\s]+/.test(url)) return undefined;
  return url.endsWith('/') ? url : `${url}/`;
}

function readPackage(file: string): PackageLinks {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageLinks;
  } catch {
    return {};
  }
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** kvm-rules' own package.json (packages/cli/package.json, from src/ or dist/ alike). */
const ownPackage = (): PackageLinks => readPackage(fileURLToPath(new URL('../../package.json', import.meta.url)));

/** The default rule set: its pages are docs/rules/<kind>.md in its package, at the root of kvm-rules' repository (rules/docs/rules/<kind>.md). */
const RULES_PACKAGE = '@kvm-rules/rules';
const RULES_DIRECTORY = 'rules';

function rulesPackageDir(): string | undefined {
  try {
    return realPath(dirname(fileURLToPath(import.meta.resolve(`${RULES_PACKAGE}/package.json`))));
  } catch {
    return undefined;
  }
}

/** The nearest folder with a package.json at or above `dir`. */
function packageDirOf(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'package.json'))) return current;
    if (dirname(current) === current) return undefined;
  }
}

const inside = (path: string, dir: string) => path.startsWith(dir + sep);
const urlPath = (path: string) => path.split(sep).join('/');

/** Where a report's links point: kvm-rules' page, and each rule's page. */
export interface Links {
  /** kvm-rules itself (SARIF's informationUri). */
  home: string | undefined;
  /** A rule's page (its kind's), or undefined when none is known. */
  rule(rule: RuleInfo): string | undefined;
}

/**
 * The links of this installation: read from the package.json files when a report is made, the
 * default rule set's pages under `docsBaseUrl` when the configuration gives one.
 */
export function links(docsBaseUrl?: string, own: PackageLinks = ownPackage()): Links {
  const base = docsBase(docsBaseUrl);
  const repository = repositoryOf(own);
  const rulesDir = rulesPackageDir();
  const pages = new Map<string, string | undefined>();
  const page = (docs: string): string | undefined => {
    const file = realPath(resolve(docs));
    if (rulesDir && inside(file, rulesDir)) {
      const path = urlPath(relative(rulesDir, file));
      const name = urlPath(relative(join(rulesDir, 'docs', 'rules'), file));
      if (base && !name.startsWith('../')) return base + name.split('/').map(encodeURIComponent).join('/');
      return repository ? fileUrl({ url: repository.url, directory: RULES_DIRECTORY }, path) : undefined;
    }
    // A plugin package's kind: its page in the plugin's own repository, when its package.json says where.
    const dir = packageDirOf(dirname(file));
    const theirs = dir === undefined ? undefined : repositoryOf(readPackage(join(dir, 'package.json')));
    return theirs && dir ? fileUrl(theirs, urlPath(relative(dir, file))) : undefined;
  };
  return {
    home: homepageOf(own),
    rule: (rule) => {
      if (!rule.docs) return undefined;
      if (!pages.has(rule.docs)) pages.set(rule.docs, page(rule.docs));
      return pages.get(rule.docs);
    },
  };
}
