// kernel-source's side of core's KernelReader: what the Checker calls to read a tree.
import type { KernelReader, KernelSource } from '@kvm-rules/core';
import { analyzeKernel } from './analyze.js';
import { KeptFiles } from './kept-files.js';
import { KernelTree } from './kernel-tree.js';

/** Opens a Linux tree for the Checker; its analysis is analyzeKernel(). */
export const kernelReader: KernelReader = {
  open(dir: string): KernelSource {
    const tree = KernelTree.open(dir, KeptFiles.open());
    return {
      root: tree.root,
      version: tree.version,
      // Filled as the tree is read: the object itself, not a copy.
      inputs: tree.inputs,
      analyze: (request) => analyzeKernel(tree, request),
    };
  },
};
