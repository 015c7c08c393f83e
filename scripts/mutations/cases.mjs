// The mutation harness's cases: edits of our own design on copies of Debian's 6.12 and 6.1
// trees, each with what it must do to the findings. A bug lists the findings it must add (rule,
// arch, and where: `at` is a text the finding's line holds, or [anchor, text]: the first line
// from the anchor on that holds text); a control is an equivalent rewrite and must change no
// finding (plugin-drift aside). `find` must occur exactly once in `file`.
//
// Classes: moved-init, late-alloc-pointer, dropped-undo-label, dropped-undo-helper,
// fail-after-kvm-init, read-before-settled, window, lost-error, and the controls goto-to-if,
// if-to-goto, early-return, helper-block, log-line, kvm-init-paths, check-style, header-style,
// label-style, gate-style, built-in-userspace, critical-section.

/** vmx_init()'s per-CPU loaded_vmcss_on_cpu lists set up after kvm_init() instead of before. */
const LOADED_VMCSS_AFTER_KVM_INIT = {
  find: '\tfor_each_possible_cpu(cpu) {\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n\n\t\tpi_init_cpu(cpu);\n\t}\n\n\tvmx_check_vmcs12_offsets();',
  replace: '\tvmx_check_vmcs12_offsets();',
  also: {
    find: '\t\tgoto err_kvm_init;\n\n\treturn 0;',
    replace:
      '\t\tgoto err_kvm_init;\n\n\tfor_each_possible_cpu(cpu) {\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n\n\t\tpi_init_cpu(cpu);\n\t}\n\n\treturn 0;',
  },
};

/** A hook-state-initialized finding of x86-svm in the x86 code its hooks share (arch/x86/kvm/x86.c). */
const svmHookReadInX86 = (at, message) => ({
  rule: 'hook-state-initialized',
  arch: 'x86-svm',
  file: 'arch/x86/kvm/x86.c',
  at,
  ...(message ? { message } : {}),
});

export const cases = [
  // --- Linux 6.12: bugs -------------------------------------------------------------------------
  {
    id: 'vmx-loaded-vmcss-after-kvm-init',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'moved-init',
    file: 'arch/x86/kvm/vmx/vmx.c',
    ...LOADED_VMCSS_AFTER_KVM_INIT,
    expect: [
      {
        rule: 'hook-state-initialized',
        arch: 'x86-vmx',
        file: 'arch/x86/kvm/vmx/vmx.c',
        at: 'list_for_each_entry_safe(v, n, &per_cpu(loaded_vmcss_on_cpu, cpu)',
      },
      { rule: 'kvm-init-last', arch: 'x86-vmx', file: 'arch/x86/kvm/vmx/vmx.c', at: 'INIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));' },
    ],
  },
  {
    id: 'mips-die-notifier-after-kvm-init',
    tree: '6.12',
    arch: 'mips',
    class: 'moved-init',
    file: 'arch/mips/kvm/mips.c',
    find: '\tregister_die_notifier(&kvm_mips_csr_die_notifier);\n\n\tret = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (ret) {\n\t\tunregister_die_notifier(&kvm_mips_csr_die_notifier);\n\t\treturn ret;\n\t}\n\treturn 0;',
    replace:
      '\tret = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (ret)\n\t\treturn ret;\n\n\tregister_die_notifier(&kvm_mips_csr_die_notifier);\n\treturn 0;',
    expect: [{ rule: 'kvm-init-last', arch: 'mips', file: 'arch/mips/kvm/mips.c', at: 'register_die_notifier(&kvm_mips_csr_die_notifier);' }],
  },
  {
    id: 's390-facilities-after-kvm-init',
    tree: '6.12',
    arch: 's390',
    class: 'moved-init',
    file: 'arch/s390/kvm/kvm-s390.c',
    find: '\tfor (i = 0; i < 16; i++)\n\t\tkvm_s390_fac_base[i] |=\n\t\t\tstfle_fac_list[i] & nonhyp_mask(i);\n\n\tr = __kvm_s390_init();',
    replace: '\tr = __kvm_s390_init();',
    also: {
      find: '\t\t__kvm_s390_exit();\n\t\treturn r;\n\t}\n\treturn 0;',
      replace:
        '\t\t__kvm_s390_exit();\n\t\treturn r;\n\t}\n\tfor (i = 0; i < 16; i++)\n\t\tkvm_s390_fac_base[i] |=\n\t\t\tstfle_fac_list[i] & nonhyp_mask(i);\n\treturn 0;',
    },
    expect: [{ rule: 'kvm-init-last', arch: 's390', file: 'arch/s390/kvm/kvm-s390.c', at: 'kvm_s390_fac_base[i] |=' }],
  },
  {
    id: 'loongarch-env-after-kvm-init',
    tree: '6.12',
    arch: 'loongarch',
    class: 'late-alloc-pointer',
    file: 'arch/loongarch/kvm/main.c',
    find: '\tr = kvm_loongarch_env_init();\n\tif (r)\n\t\treturn r;\n\n\tr = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (r)\n\t\tkvm_loongarch_env_exit();\n\n\treturn r;',
    replace: '\tr = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (r)\n\t\treturn r;\n\n\treturn kvm_loongarch_env_init();',
    expect: [
      { rule: 'hook-state-initialized', arch: 'loongarch', file: 'arch/loongarch/kvm/main.c', at: 'this_cpu_ptr(vmcs)->last_vcpu = NULL;' },
      { rule: 'kvm-init-last', arch: 'loongarch', file: 'arch/loongarch/kvm/main.c', at: 'return kvm_loongarch_env_init();' },
      { rule: 'unwind-on-failure', arch: 'loongarch', file: 'arch/loongarch/kvm/main.c', at: 'return kvm_loongarch_env_init();' },
    ],
  },
  {
    id: 'loongarch-vmcs-alloc-after-kvm-init',
    tree: '6.12',
    arch: 'loongarch',
    class: 'late-alloc-pointer',
    file: 'arch/loongarch/kvm/main.c',
    // The per-CPU contexts are allocated (and filled) once kvm_init() has succeeded; the enable hook writes through vmcs.
    find: '\tvmcs = alloc_percpu(struct kvm_context);\n\tif (!vmcs) {\n\t\tpr_err("kvm: failed to allocate percpu kvm_context\\n");\n\t\treturn -ENOMEM;\n\t}\n\n',
    replace: '',
    more: {
      find: '\tfor_each_possible_cpu(cpu) {\n\t\tcontext = per_cpu_ptr(vmcs, cpu);\n\t\tcontext->vpid_cache = vpid_mask + 1;\n\t\tcontext->last_vcpu = NULL;\n\t}\n\n\tkvm_init_gcsr_flag();',
      replace: '\tkvm_init_gcsr_flag();',
    },
    also: {
      find: '\tr = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (r)\n\t\tkvm_loongarch_env_exit();\n\n\treturn r;',
      replace:
        '\tr = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (r) {\n\t\tkvm_loongarch_env_exit();\n\t\treturn r;\n\t}\n\n\tvmcs = alloc_percpu(struct kvm_context);\n\treturn 0;',
    },
    expect: [
      { rule: 'hook-state-initialized', arch: 'loongarch', file: 'arch/loongarch/kvm/main.c', at: 'this_cpu_ptr(vmcs)->last_vcpu = NULL;' },
      {
        rule: 'kvm-init-last',
        arch: 'loongarch',
        file: 'arch/loongarch/kvm/main.c',
        at: ['\t}\n\n\tvmcs = alloc_percpu(struct kvm_context);\n\treturn 0;', 'vmcs = alloc_percpu'],
      },
    ],
  },
  {
    id: 'vmx-label-drops-vendor-exit',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'dropped-undo-label',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: 'err_l1d_flush:\n\tkvm_x86_vendor_exit();\n\treturn r;',
    replace: 'err_l1d_flush:\n\treturn r;',
    expect: [
      { rule: 'unwind-on-failure', arch: 'x86-vmx', file: 'arch/x86/kvm/vmx/vmx.c', at: ['r = vmx_setup_l1d_flush(vmentry_l1d_flush_param);', 'if (r)'] },
    ],
  },
  {
    id: 'mips-kvm-init-failure-keeps-notifier',
    tree: '6.12',
    arch: 'mips',
    class: 'dropped-undo-label',
    file: 'arch/mips/kvm/mips.c',
    find: '\tif (ret) {\n\t\tunregister_die_notifier(&kvm_mips_csr_die_notifier);\n\t\treturn ret;\n\t}\n\treturn 0;',
    replace: '\tif (ret)\n\t\treturn ret;\n\treturn 0;',
    expect: [
      { rule: 'unwind-on-failure', arch: 'mips', file: 'arch/mips/kvm/mips.c', at: ['ret = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);', 'if (ret)'] },
    ],
  },
  {
    id: 'riscv-kvm-init-failure-keeps-aia',
    tree: '6.12',
    arch: 'riscv',
    class: 'dropped-undo-label',
    file: 'arch/riscv/kvm/main.c',
    find: '\tif (rc) {\n\t\tkvm_riscv_aia_exit();\n\t\treturn rc;\n\t}',
    replace: '\tif (rc)\n\t\treturn rc;',
    expect: [
      // The same step left set up at one more failure point: the default: finding says so.
      { rule: 'unwind-on-failure', arch: 'riscv', file: 'arch/riscv/kvm/main.c', at: 'default:', message: 'the same at 1 more failure point' },
    ],
  },
  {
    id: 'arm64-out-err-drops-vmid-free',
    tree: '6.12',
    arch: 'arm64',
    class: 'dropped-undo-label',
    file: 'arch/arm64/kvm/arm.c',
    find: 'out_err:\n\tkvm_arm_vmid_alloc_free();\n\treturn err;',
    replace: 'out_err:\n\treturn err;',
    expect: [{ rule: 'unwind-on-failure', arch: 'arm64', file: 'arch/arm64/kvm/arm.c', at: ['err = init_hyp_mode();', 'if (err)'] }],
  },
  {
    id: 'kvm-init-drops-irqfd-exit',
    tree: '6.12',
    arch: 'mips',
    class: 'dropped-undo-label',
    file: 'virt/kvm/kvm_main.c',
    find: 'err_async_pf:\n\tkvm_irqfd_exit();\n',
    replace: 'err_async_pf:\n',
    expect: [{ rule: 'unwind-on-failure', arch: 'generic', file: 'virt/kvm/kvm_main.c', at: ['r = kvm_async_pf_init();', 'if (r)'] }],
  },
  {
    id: 'svm-exit-helper-forgets-vendor-exit',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'dropped-undo-helper',
    file: 'arch/x86/kvm/svm/svm.c',
    find: 'static void __svm_exit(void)\n{\n\tkvm_x86_vendor_exit();\n}',
    replace: 'static void __svm_exit(void)\n{\n}',
    expect: [{ rule: 'unwind-on-failure', arch: 'x86-svm', file: 'arch/x86/kvm/svm/svm.c', at: ['r = kvm_init(sizeof(struct vcpu_svm)', 'if (r)'] }],
  },
  {
    id: 'loongarch-env-exit-forgets-vmcs',
    tree: '6.12',
    arch: 'loongarch',
    class: 'dropped-undo-helper',
    file: 'arch/loongarch/kvm/main.c',
    find: '\tif (vmcs)\n\t\tfree_percpu(vmcs);\n\n',
    replace: '',
    expect: [
      {
        rule: 'unwind-on-failure',
        arch: 'loongarch',
        file: 'arch/loongarch/kvm/main.c',
        at: ['r = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);', 'if (r)'],
      },
    ],
  },
  {
    id: 's390-exit-helper-forgets-debug-feature',
    tree: '6.12',
    arch: 's390',
    class: 'dropped-undo-helper',
    file: 'arch/s390/kvm/kvm-s390.c',
    find: '\t\tkvm_s390_pci_exit();\n\tdebug_unregister(kvm_s390_dbf);\n\tdebug_unregister(kvm_s390_dbf_uv);\n}',
    replace: '\t\tkvm_s390_pci_exit();\n\tdebug_unregister(kvm_s390_dbf_uv);\n}',
    expect: [
      { rule: 'unwind-on-failure', arch: 's390', file: 'arch/s390/kvm/kvm-s390.c', at: ['r = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);', 'if (r)'] },
    ],
  },
  {
    id: 'vmx-exit-helper-forgets-l1d-flush',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'dropped-undo-helper',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tallow_smaller_maxphyaddr = false;\n\n\tvmx_cleanup_l1d_flush();\n}',
    replace: '\tallow_smaller_maxphyaddr = false;\n}',
    also: { find: 'static void vmx_cleanup_l1d_flush(void)', replace: 'static void __maybe_unused vmx_cleanup_l1d_flush(void)' },
    expect: [{ rule: 'unwind-on-failure', arch: 'x86-vmx', file: 'arch/x86/kvm/vmx/vmx.c', at: ['r = kvm_init(sizeof(struct vcpu_vmx)', 'if (r)'] }],
  },
  {
    id: 'mips-can-fail-after-kvm-init',
    tree: '6.12',
    arch: 'mips',
    class: 'fail-after-kvm-init',
    file: 'arch/mips/kvm/mips.c',
    find: '\t\tunregister_die_notifier(&kvm_mips_csr_die_notifier);\n\t\treturn ret;\n\t}\n\treturn 0;',
    replace:
      '\t\tunregister_die_notifier(&kvm_mips_csr_die_notifier);\n\t\treturn ret;\n\t}\n\tret = kvm_mips_entry_setup();\n\tif (ret)\n\t\treturn ret;\n\treturn 0;',
    expect: [
      {
        rule: 'unwind-on-failure',
        arch: 'mips',
        file: 'arch/mips/kvm/mips.c',
        at: ['\tret = kvm_mips_entry_setup();\n\tif (ret)\n\t\treturn ret;\n\treturn 0;', 'if (ret)'],
      },
      {
        rule: 'kvm-init-last',
        arch: 'mips',
        file: 'arch/mips/kvm/mips.c',
        at: ['\tret = kvm_mips_entry_setup();\n\tif (ret)\n\t\treturn ret;\n\treturn 0;', 'kvm_mips_entry_setup'],
      },
    ],
  },
  {
    id: 'svm-tail-call-after-kvm-init',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'fail-after-kvm-init',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__svm_exit();',
    replace: '\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn kvm_x86_vendor_init(&svm_init_ops);\n\nerr_kvm_init:\n\t__svm_exit();',
    expect: [
      { rule: 'unwind-on-failure', arch: 'x86-svm', file: 'arch/x86/kvm/svm/svm.c', at: 'return kvm_x86_vendor_init(&svm_init_ops);' },
      { rule: 'kvm-init-last', arch: 'x86-svm', file: 'arch/x86/kvm/svm/svm.c', at: 'return kvm_x86_vendor_init(&svm_init_ops);' },
    ],
  },
  {
    id: 'riscv-late-result-returned',
    tree: '6.12',
    arch: 'riscv',
    class: 'fail-after-kvm-init',
    file: 'arch/riscv/kvm/main.c',
    find: '\tif (rc) {\n\t\tkvm_riscv_aia_exit();\n\t\treturn rc;\n\t}\n\n\treturn 0;',
    replace: '\tif (rc) {\n\t\tkvm_riscv_aia_exit();\n\t\treturn rc;\n\t}\n\n\trc = kvm_riscv_aia_init();\n\tkvm_info("AIA set up again\\n");\n\n\treturn rc;',
    expect: [
      // kvm_init() is left set up where the late result is returned; and the first AIA set-up is
      // left at one more failure point, which its finding (at default:) now counts.
      { rule: 'unwind-on-failure', arch: 'riscv', file: 'arch/riscv/kvm/main.c', at: ['kvm_info("AIA set up again\\n");', 'return rc;'] },
      { rule: 'unwind-on-failure', arch: 'riscv', file: 'arch/riscv/kvm/main.c', at: 'default:', message: 'the same at 1 more failure point' },
      {
        rule: 'kvm-init-last',
        arch: 'riscv',
        file: 'arch/riscv/kvm/main.c',
        at: ['\t\treturn rc;\n\t}\n\n\trc = kvm_riscv_aia_init();', 'rc = kvm_riscv_aia_init();'],
      },
    ],
  },
  {
    id: 'e500mc-lpids-after-kvm-init',
    tree: '6.12',
    arch: 'powerpc',
    class: 'built-in-userspace',
    file: 'arch/powerpc/kvm/e500mc.c',
    find: '\tkvmppc_init_lpid(KVMPPC_NR_LPIDS/threads_per_core);\n\n\tr = kvm_init(sizeof(struct kvmppc_vcpu_e500), 0, THIS_MODULE);\n\tif (r)\n\t\tgoto err_out;',
    replace:
      '\tr = kvm_init(sizeof(struct kvmppc_vcpu_e500), 0, THIS_MODULE);\n\tif (r)\n\t\tgoto err_out;\n\tkvmppc_init_lpid(KVMPPC_NR_LPIDS/threads_per_core);',
    // A control: KVM_E500MC is a bool, built in. Only userspace, through /dev/kvm, could see the
    // LPID allocator unset, and no userspace exists while a built-in initcall runs (the hooks of
    // powerpc do nothing, so CPU hotplug sees nothing either): kvm-init-last stays off.
  },
  {
    id: 'e500-check-after-kvm-init',
    tree: '6.12',
    arch: 'powerpc',
    class: 'fail-after-kvm-init',
    file: 'arch/powerpc/kvm/e500.c',
    find: '\tkvm_ops_e500.owner = THIS_MODULE;\n\tkvmppc_pr_ops = &kvm_ops_e500;\n',
    replace:
      '\tr = kvmppc_e500_check_processor_compat();\n\tif (r)\n\t\tgoto err_out;\n\tkvm_ops_e500.owner = THIS_MODULE;\n\tkvmppc_pr_ops = &kvm_ops_e500;\n',
    expect: [
      // kvm_init() left set up by the new check, and kvmppc_booke_init() at one more failure point.
      {
        rule: 'unwind-on-failure',
        arch: 'powerpc',
        file: 'arch/powerpc/kvm/e500.c',
        at: ['r = kvmppc_e500_check_processor_compat();\n\tif (r)\n\t\tgoto err_out;\n\tkvm_ops_e500', 'if (r)'],
      },
      {
        rule: 'unwind-on-failure',
        arch: 'powerpc',
        file: 'arch/powerpc/kvm/e500.c',
        at: ['r = kvm_init(sizeof(struct kvmppc_vcpu_e500), 0, THIS_MODULE);', 'if (r)'],
        message: 'the same at 1 more failure point',
      },
      // No kvm-init-last: KVM_E500V2 is built in, and only userspace could see the work after kvm_init().
    ],
  },
  {
    id: 'arm64-out-subs-drops-teardown',
    tree: '6.12',
    arch: 'arm64',
    class: 'dropped-undo-label',
    file: 'arch/arm64/kvm/arm.c',
    find: 'out_subs:\n\tteardown_subsystems();\nout_hyp:',
    replace: 'out_subs:\nout_hyp:',
    expect: [
      { rule: 'unwind-on-failure', arch: 'arm64', file: 'arch/arm64/kvm/arm.c', at: ['err = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);', 'if (err)'] },
    ],
  },
  {
    id: 'svm-unlikely-return-drops-exit',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'dropped-undo-label',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__svm_exit();\n\treturn r;',
    replace: '\tif (unlikely(r))\n\t\treturn r;\n\n\treturn 0;',
    expect: [{ rule: 'unwind-on-failure', arch: 'x86-svm', file: 'arch/x86/kvm/svm/svm.c', at: ['r = kvm_init(sizeof(struct vcpu_svm)', 'if (unlikely(r))'] }],
  },
  {
    // After kvm_init() fails, the jump lands one label too far: __vmx_exit() is skipped.
    id: 'vmx-kvm-init-fails-to-outer-label',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'dropped-undo-label',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__vmx_exit();\nerr_l1d_flush:',
    replace: '\tif (r)\n\t\tgoto err_l1d_flush;\n\n\treturn 0;\n\nerr_l1d_flush:',
    expect: [{ rule: 'unwind-on-failure', arch: 'x86-vmx', file: 'arch/x86/kvm/vmx/vmx.c', at: ['r = kvm_init(sizeof(struct vcpu_vmx)', 'if (r)'] }],
  },
  {
    // The per-CPU lists set up by a helper that module init calls after kvm_init().
    id: 'vmx-loaded-vmcss-helper-after-kvm-init',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'moved-init',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tfor_each_possible_cpu(cpu) {\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n\n\t\tpi_init_cpu(cpu);\n\t}\n\n\tvmx_check_vmcs12_offsets();',
    replace: '\tvmx_check_vmcs12_offsets();',
    also: {
      find: '\t\tgoto err_kvm_init;\n\n\treturn 0;',
      replace: '\t\tgoto err_kvm_init;\n\n\tvmx_init_cpu_lists();\n\treturn 0;',
    },
    more: {
      find: 'static int __init vmx_init(void)\n{',
      replace:
        'static void __init vmx_init_cpu_lists(void)\n{\n\tint cpu;\n\n\tfor_each_possible_cpu(cpu) {\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n\n\t\tpi_init_cpu(cpu);\n\t}\n}\n\nstatic int __init vmx_init(void)\n{',
    },
    expect: [
      {
        rule: 'hook-state-initialized',
        arch: 'x86-vmx',
        file: 'arch/x86/kvm/vmx/vmx.c',
        at: 'list_for_each_entry_safe(v, n, &per_cpu(loaded_vmcss_on_cpu, cpu)',
      },
      { rule: 'kvm-init-last', arch: 'x86-vmx', file: 'arch/x86/kvm/vmx/vmx.c', at: 'vmx_init_cpu_lists();' },
    ],
  },
  {
    // The same undo written as vmx_hardware_setup() writes its own: `if (r && !nested)`.
    id: 'svm-conditional-undo-wrong-test',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'dropped-undo-label',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\tr = kvm_init(sizeof(struct vcpu_svm), __alignof__(struct vcpu_svm),\n\t\t     THIS_MODULE);\n\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__svm_exit();',
    replace:
      '\tif (nested) {\n\t\tr = misc_register(&svm_nested_dev);\n\t\tif (r)\n\t\t\tgoto err_misc;\n\t}\n\n\tr = kvm_init(sizeof(struct vcpu_svm), __alignof__(struct vcpu_svm),\n\t\t     THIS_MODULE);\n\tif (r && !nested)\n\t\tmisc_deregister(&svm_nested_dev);\n\tif (r)\n\t\tgoto err_misc;\n\n\treturn 0;\n\nerr_misc:\n\t__svm_exit();',
    also: {
      find: 'static int __init svm_init(void)\n{',
      replace:
        'static struct miscdevice svm_nested_dev = {\n\t.minor = MISC_DYNAMIC_MINOR,\n\t.name = \"kvm-nested\",\n};\n\nstatic int __init svm_init(void)\n{',
    },
    expect: [{ rule: 'unwind-on-failure', arch: 'x86-svm', file: 'arch/x86/kvm/svm/svm.c', at: ['r = kvm_init(sizeof(struct vcpu_svm)', 'if (r)'] }],
  },
  {
    // The hook reaches the list through a local alias; the move of its initialization is still a bug.
    id: 'vmx-loaded-vmcss-read-through-alias',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'moved-init',
    file: 'arch/x86/kvm/vmx/vmx.c',
    ...LOADED_VMCSS_AFTER_KVM_INIT,
    more: {
      find: '\tint cpu = raw_smp_processor_id();\n\tstruct loaded_vmcs *v, *n;\n\n\tlist_for_each_entry_safe(v, n, &per_cpu(loaded_vmcss_on_cpu, cpu),\n\t\t\t\t loaded_vmcss_on_cpu_link)',
      replace:
        '\tint cpu = raw_smp_processor_id();\n\tstruct list_head *loaded = &per_cpu(loaded_vmcss_on_cpu, cpu);\n\tstruct loaded_vmcs *v, *n;\n\n\tlist_for_each_entry_safe(v, n, loaded, loaded_vmcss_on_cpu_link)',
    },
    expect: [
      {
        rule: 'hook-state-initialized',
        arch: 'x86-vmx',
        file: 'arch/x86/kvm/vmx/vmx.c',
        at: 'struct list_head *loaded = &per_cpu(loaded_vmcss_on_cpu, cpu);',
      },
      { rule: 'kvm-init-last', arch: 'x86-vmx', file: 'arch/x86/kvm/vmx/vmx.c', at: 'INIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));' },
    ],
  },
  {
    // The undo parked under `#if 0`: never compiled, so a failing kvm_init() leaves the AIA set up,
    // as `default:` already does: one finding for the leak, now at two failure points.
    id: 'riscv-undo-under-if-0',
    tree: '6.12',
    arch: 'riscv',
    class: 'dropped-undo-label',
    file: 'arch/riscv/kvm/main.c',
    find: '\tif (rc) {\n\t\tkvm_riscv_aia_exit();\n\t\treturn rc;\n\t}\n\n\treturn 0;\n}',
    replace: '\tif (rc) {\n#if 0\n\t\tkvm_riscv_aia_exit();\n#endif\n\t\treturn rc;\n\t}\n\n\treturn 0;\n}',
    expect: [
      {
        rule: 'unwind-on-failure',
        arch: 'riscv',
        file: 'arch/riscv/kvm/main.c',
        at: ['switch (kvm_riscv_gstage_mode())', 'default:'],
        message: 'the same at 1 more failure point',
      },
    ],
  },
  {
    // The unwinding ends in `return 0;`: both errors are lost, and vmx_exit() would later call
    // kvm_exit() for a kvm_init() that failed. Not work after kvm_init(): the calls are unwinding.
    id: 'vmx-error-path-returns-0',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'lost-error',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\t__vmx_exit();\nerr_l1d_flush:\n\tkvm_x86_vendor_exit();\n\treturn r;\n}',
    replace: '\t__vmx_exit();\nerr_l1d_flush:\n\tkvm_x86_vendor_exit();\n\treturn 0;\n}',
    expect: [
      {
        rule: 'unwind-on-failure',
        arch: 'x86-vmx',
        file: 'arch/x86/kvm/vmx/vmx.c',
        at: ['err_l1d_flush:', 'return 0;'],
        message: 'vmx_setup_l1d_flush() and kvm_init() can fail, but their failure paths return success',
      },
    ],
  },
  {
    // The new step's label put above the one kvm_init() jumps to: a failing kvm_init() leaves the device registered.
    id: 'vmx-new-step-label-misplaced',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'dropped-undo-label',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tr = vmx_setup_l1d_flush(vmentry_l1d_flush_param);\n\tif (r)\n\t\tgoto err_l1d_flush;\n',
    replace:
      '\tr = vmx_setup_l1d_flush(vmentry_l1d_flush_param);\n\tif (r)\n\t\tgoto err_l1d_flush;\n\n\tr = misc_register(&vmx_demo_dev);\n\tif (r)\n\t\tgoto err_misc;\n',
    also: {
      find: 'err_kvm_init:\n\t__vmx_exit();\nerr_l1d_flush:',
      replace: 'err_misc_unregister:\n\tmisc_deregister(&vmx_demo_dev);\nerr_kvm_init:\nerr_misc:\n\t__vmx_exit();\nerr_l1d_flush:',
    },
    more: {
      find: 'static void vmx_exit(void)\n{\n\tkvm_exit();\n\t__vmx_exit();',
      replace:
        'static struct miscdevice vmx_demo_dev = {\n\t.minor = MISC_DYNAMIC_MINOR,\n\t.name = \"kvm-vmx-demo\",\n};\n\nstatic void vmx_exit(void)\n{\n\tkvm_exit();\n\tmisc_deregister(&vmx_demo_dev);\n\t__vmx_exit();',
    },
    expect: [{ rule: 'unwind-on-failure', arch: 'x86-vmx', file: 'arch/x86/kvm/vmx/vmx.c', at: ['r = kvm_init(sizeof(struct vcpu_vmx)', 'if (r)'] }],
  },
  {
    // The vendor ops installed after kvm_init(): the hooks kvm_init() runs call through an empty table.
    id: 'svm-vendor-init-after-kvm-init',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'moved-init',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\tr = kvm_x86_vendor_init(&svm_init_ops);\n\tif (r)\n\t\treturn r;\n\n',
    replace: '',
    also: {
      find: '\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__svm_exit();\n\treturn r;',
      replace:
        '\tif (r)\n\t\treturn r;\n\n\tr = kvm_x86_vendor_init(&svm_init_ops);\n\tif (r)\n\t\tgoto err_vendor;\n\n\treturn 0;\n\nerr_vendor:\n\tkvm_exit();\n\treturn r;',
    },
    expect: [
      {
        rule: 'hook-state-initialized',
        arch: 'x86-svm',
        file: 'arch/x86/kvm/svm/svm.c',
        at: ['static int svm_enable_virtualization_cpu(void)', 'sd = per_cpu_ptr(&svm_data, me);'],
        message: 'initialized by phase "kvm_x86_vendor_init"',
      },
      {
        rule: 'hook-state-initialized',
        arch: 'x86-svm',
        file: 'arch/x86/kvm/svm/svm.c',
        at: ['static int svm_enable_virtualization_cpu(void)', 'sd->min_asid = max_sev_asid + 1;'],
      },
      { rule: 'kvm-init-last', arch: 'x86-svm', file: 'arch/x86/kvm/svm/svm.c', at: 'r = kvm_x86_vendor_init(&svm_init_ops);' },
      svmHookReadInX86(['static void kvm_on_user_return(', 'for (slot = 0; slot < kvm_nr_uret_msrs; ++slot) {']),
      svmHookReadInX86(['static void kvm_on_user_return(', 'wrmsrl(kvm_uret_msrs_list[slot], values->host);']),
      svmHookReadInX86(['static void kvm_user_return_msr_cpu_online(', 'this_cpu_ptr(user_return_msrs);'], 'initialized by phase "kvm_x86_vendor_init"'),
      svmHookReadInX86(['static void kvm_user_return_msr_cpu_online(', 'for (i = 0; i < kvm_nr_uret_msrs; ++i) {']),
      svmHookReadInX86(['static void kvm_user_return_msr_cpu_online(', 'rdmsrl_safe(kvm_uret_msrs_list[i], &value);']),
      svmHookReadInX86(['static void drop_user_return_notifiers(', 'this_cpu_ptr(user_return_msrs);'], 'initialized by phase "kvm_x86_vendor_init"'),
      svmHookReadInX86(['void kvm_arch_enable_virtualization(void)', 'kvm_x86_ops.emergency_disable_virtualization_cpu']),
      svmHookReadInX86(['void kvm_arch_disable_virtualization(void)', 'kvm_x86_ops.emergency_disable_virtualization_cpu']),
    ],
  },
  // --- Linux 6.12: controls (equivalent rewrites) ------------------------------------------------
  {
    id: 'svm-goto-to-nested-if',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'goto-to-if',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__svm_exit();\n\treturn r;',
    replace: '\tif (r) {\n\t\t__svm_exit();\n\t\treturn r;\n\t}\n\n\treturn 0;',
  },
  {
    id: 'svm-early-return-0',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'early-return',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__svm_exit();\n\treturn r;',
    replace: '\tif (!r)\n\t\treturn 0;\n\n\t__svm_exit();\n\treturn r;',
  },
  {
    id: 'vmx-early-return-0',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'early-return',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__vmx_exit();\n',
    replace: '\tif (!r)\n\t\treturn 0;\n\n\t__vmx_exit();\n',
  },
  {
    id: 'mips-early-return-0',
    tree: '6.12',
    arch: 'mips',
    class: 'early-return',
    file: 'arch/mips/kvm/mips.c',
    find: '\tif (ret) {\n\t\tunregister_die_notifier(&kvm_mips_csr_die_notifier);\n\t\treturn ret;\n\t}\n\treturn 0;',
    replace: '\tif (!ret)\n\t\treturn 0;\n\n\tunregister_die_notifier(&kvm_mips_csr_die_notifier);\n\treturn ret;',
  },
  {
    id: 'riscv-if-to-goto',
    tree: '6.12',
    arch: 'riscv',
    class: 'if-to-goto',
    file: 'arch/riscv/kvm/main.c',
    find: '\tif (rc) {\n\t\tkvm_riscv_aia_exit();\n\t\treturn rc;\n\t}\n\n\treturn 0;\n}',
    replace: '\tif (rc)\n\t\tgoto err_aia;\n\n\treturn 0;\n\nerr_aia:\n\tkvm_riscv_aia_exit();\n\treturn rc;\n}',
  },
  {
    id: 'loongarch-undo-in-block',
    tree: '6.12',
    arch: 'loongarch',
    class: 'if-to-goto',
    file: 'arch/loongarch/kvm/main.c',
    find: '\tif (r)\n\t\tkvm_loongarch_env_exit();\n\n\treturn r;',
    replace: '\tif (r) {\n\t\tkvm_loongarch_env_exit();\n\t\treturn r;\n\t}\n\n\treturn 0;',
  },
  {
    id: 'loongarch-kvm-init-in-helper',
    tree: '6.12',
    arch: 'loongarch',
    class: 'helper-block',
    file: 'arch/loongarch/kvm/main.c',
    find: 'static int kvm_loongarch_init(void)\n{',
    replace:
      'static int kvm_loongarch_register(void)\n{\n\treturn kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n}\n\nstatic int kvm_loongarch_init(void)\n{',
    also: {
      find: '\tr = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (r)\n\t\tkvm_loongarch_env_exit();',
      replace: '\tr = kvm_loongarch_register();\n\tif (r)\n\t\tkvm_loongarch_env_exit();',
    },
  },
  {
    id: 's390-loop-in-helper',
    tree: '6.12',
    arch: 's390',
    class: 'helper-block',
    file: 'arch/s390/kvm/kvm-s390.c',
    find: '\tfor (i = 0; i < 16; i++)\n\t\tkvm_s390_fac_base[i] |=\n\t\t\tstfle_fac_list[i] & nonhyp_mask(i);\n\n\tr = __kvm_s390_init();',
    replace: '\tkvm_s390_fac_base_init();\n\n\tr = __kvm_s390_init();',
    also: {
      find: 'static int __init kvm_s390_init(void)\n{',
      replace:
        'static void __init kvm_s390_fac_base_init(void)\n{\n\tint i;\n\n\tfor (i = 0; i < 16; i++)\n\t\tkvm_s390_fac_base[i] |=\n\t\t\tstfle_fac_list[i] & nonhyp_mask(i);\n}\n\nstatic int __init kvm_s390_init(void)\n{',
    },
  },
  {
    id: 'vmx-log-line-after-kvm-init',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'log-line',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\t\tgoto err_kvm_init;\n\n\treturn 0;',
    replace: '\t\tgoto err_kvm_init;\n\n\tpr_info("kvm_intel: ready\\n");\n\treturn 0;',
  },
  {
    id: 'arm64-log-line-before-kvm-init',
    tree: '6.12',
    arch: 'arm64',
    class: 'log-line',
    file: 'arch/arm64/kvm/arm.c',
    find: '\terr = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (err)\n\t\tgoto out_subs;',
    replace: '\tkvm_info("calling kvm_init()\\n");\n\terr = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (err)\n\t\tgoto out_subs;',
  },
  {
    id: 'kvm-init-log-line',
    tree: '6.12',
    arch: 'riscv',
    class: 'log-line',
    file: 'virt/kvm/kvm_main.c',
    find: '\t\tpr_err("kvm: misc device register failed\\n");\n\t\tgoto err_register;\n\t}\n\n\treturn 0;',
    replace: '\t\tpr_err("kvm: misc device register failed\\n");\n\t\tgoto err_register;\n\t}\n\n\tpr_debug("kvm: /dev/kvm registered\\n");\n\treturn 0;',
  },
  {
    id: 'mips-kvm-init-per-config',
    tree: '6.12',
    arch: 'mips',
    class: 'kvm-init-paths',
    file: 'arch/mips/kvm/mips.c',
    find: '\tret = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (ret) {',
    replace:
      '#ifdef CONFIG_CPU_LOONGSON64\n\tret = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n#else\n\tret = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n#endif\n\tif (ret) {',
  },
  {
    id: 'riscv-kvm-init-if-else',
    tree: '6.12',
    arch: 'riscv',
    class: 'kvm-init-paths',
    file: 'arch/riscv/kvm/main.c',
    find: '\trc = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (rc) {',
    replace:
      '\tif (kvm_riscv_aia_available())\n\t\trc = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\telse\n\t\trc = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (rc) {',
  },
  {
    id: 'e500-return-in-place-of-goto',
    tree: '6.12',
    arch: 'powerpc',
    class: 'goto-to-if',
    file: 'arch/powerpc/kvm/e500.c',
    find: '\tr = kvm_init(sizeof(struct kvmppc_vcpu_e500), 0, THIS_MODULE);\n\tif (r)\n\t\tgoto err_out;',
    replace: '\tr = kvm_init(sizeof(struct kvmppc_vcpu_e500), 0, THIS_MODULE);\n\tif (r)\n\t\treturn r;',
  },
  {
    id: 's390-check-style',
    tree: '6.12',
    arch: 's390',
    class: 'check-style',
    file: 'arch/s390/kvm/kvm-s390.c',
    find: '\tr = __kvm_s390_init();\n\tif (r)\n\t\treturn r;',
    replace: '\tr = __kvm_s390_init();\n\tif (r < 0)\n\t\treturn r;',
  },
  {
    id: 'vmx-vendor-init-warn-on',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'check-style',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tr = kvm_x86_vendor_init(&vt_init_ops);\n\tif (r)\n\t\treturn r;',
    replace: '\tr = kvm_x86_vendor_init(&vt_init_ops);\n\tif (WARN_ON_ONCE(r != 0))\n\t\treturn r;',
  },
  {
    id: 'book3s-log-line',
    tree: '6.12',
    arch: 'powerpc',
    class: 'log-line',
    file: 'arch/powerpc/kvm/book3s.c',
    find: '\tr = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (r)\n\t\treturn r;',
    replace: '\tpr_debug("kvm: book3s init\\n");\n\tr = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (r)\n\t\treturn r;',
  },
  {
    // Kernel style also puts the name of a long definition on a line of its own.
    id: 'vmx-header-name-on-own-line',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'header-style',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: 'static int __init vmx_init(void)\n{\n\tint r, cpu;',
    replace: 'static int __init\nvmx_init(void)\n{\n\tint r, cpu;',
  },
  {
    id: 'vmx-unlikely-check',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'check-style',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tr = vmx_setup_l1d_flush(vmentry_l1d_flush_param);\n\tif (r)\n\t\tgoto err_l1d_flush;',
    replace: '\tr = vmx_setup_l1d_flush(vmentry_l1d_flush_param);\n\tif (unlikely(r))\n\t\tgoto err_l1d_flush;',
  },
  {
    id: 'vmx-kvm-init-call-on-one-line',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'check-style',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tr = kvm_init(sizeof(struct vcpu_vmx), __alignof__(struct vcpu_vmx),\n\t\t     THIS_MODULE);',
    replace: '\tr = kvm_init(sizeof(struct vcpu_vmx), /* align */ __alignof__(struct vcpu_vmx), THIS_MODULE);',
  },
  {
    id: 'vmx-config-guard-in-c',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'kvm-init-paths',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\thv_init_evmcs();\n\n\tr = kvm_x86_vendor_init(&vt_init_ops);',
    replace: '\tif (IS_ENABLED(CONFIG_HYPERV))\n\t\thv_init_evmcs();\n\n\tr = kvm_x86_vendor_init(&vt_init_ops);',
  },
  {
    id: 'svm-log-in-error-block',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'log-line',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__svm_exit();',
    replace: '\tif (r) {\n\t\tpr_err("kvm_amd: kvm_init() failed: %d\\n", r);\n\t\tgoto err_kvm_init;\n\t}\n\n\treturn 0;\n\nerr_kvm_init:\n\t__svm_exit();',
  },
  {
    // One exit point: success jumps over the unwinding to the shared return.
    id: 'arm64-single-exit-point',
    tree: '6.12',
    arch: 'arm64',
    class: 'label-style',
    file: 'arch/arm64/kvm/arm.c',
    find: '\tkvm_arm_initialised = true;\n\n\treturn 0;\n\nout_subs:',
    replace: '\tkvm_arm_initialised = true;\n\terr = 0;\n\tgoto out;\n\nout_subs:',
    also: { find: 'out_err:\n\tkvm_arm_vmid_alloc_free();\n\treturn err;\n}', replace: 'out_err:\n\tkvm_arm_vmid_alloc_free();\nout:\n\treturn err;\n}' },
  },
  {
    id: 'arm64-negative-check',
    tree: '6.12',
    arch: 'arm64',
    class: 'check-style',
    file: 'arch/arm64/kvm/arm.c',
    find: '\terr = init_subsystems();\n\tif (err)\n\t\tgoto out_hyp;',
    replace: '\terr = init_subsystems();\n\tif (err < 0)\n\t\tgoto out_hyp;',
  },
  {
    id: 'riscv-aia-undo-as-label',
    tree: '6.12',
    arch: 'riscv',
    class: 'if-to-goto',
    file: 'arch/riscv/kvm/main.c',
    find: '\trc = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (rc) {\n\t\tkvm_riscv_aia_exit();\n\t\treturn rc;\n\t}\n\n\treturn 0;\n}',
    replace:
      '\trc = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (rc)\n\t\tgoto err_aia;\n\n\treturn 0;\n\nerr_aia:\n\tkvm_riscv_aia_exit();\n\treturn rc;\n}',
  },
  {
    // Success returns early; what follows is the failure path.
    id: 'riscv-success-returns-early',
    tree: '6.12',
    arch: 'riscv',
    class: 'early-return',
    file: 'arch/riscv/kvm/main.c',
    find: '\trc = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (rc) {\n\t\tkvm_riscv_aia_exit();\n\t\treturn rc;\n\t}\n\n\treturn 0;\n}',
    replace: '\trc = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (!rc)\n\t\treturn 0;\n\n\tkvm_riscv_aia_exit();\n\treturn rc;\n}',
  },
  {
    // IS_ENABLED() in C written as the directive it stands for.
    id: 's390-config-guard-as-directive',
    tree: '6.12',
    arch: 's390',
    class: 'kvm-init-paths',
    file: 'arch/s390/kvm/kvm-s390.c',
    find: 'err_gib:\n\tif (IS_ENABLED(CONFIG_VFIO_PCI_ZDEV_KVM))\n\t\tkvm_s390_pci_exit();\nerr_pci:',
    replace: 'err_gib:\n#ifdef CONFIG_VFIO_PCI_ZDEV_KVM\n\tkvm_s390_pci_exit();\n#endif\nerr_pci:',
  },
  {
    // A critical section closed before the next step: preempt_enable() sets nothing up to undo.
    id: 'arm64-preempt-section',
    tree: '6.12',
    arch: 'arm64',
    class: 'critical-section',
    file: 'arch/arm64/kvm/arm.c',
    find: '\tin_hyp_mode = is_kernel_in_hyp_mode();\n',
    replace: '\tpreempt_disable();\n\tin_hyp_mode = is_kernel_in_hyp_mode();\n\tpreempt_enable();\n',
  },
  {
    // A buffer allocated and freed before the next step: nothing is left to undo, though the module's exit calls kfree().
    id: 'loongarch-temporary-buffer',
    tree: '6.12',
    arch: 'loongarch',
    class: 'critical-section',
    file: 'arch/loongarch/kvm/main.c',
    find: '\tr = kvm_loongarch_env_init();\n\tif (r)\n\t\treturn r;',
    replace:
      '\tprobe = kzalloc(64, GFP_KERNEL);\n\tif (!probe)\n\t\treturn -ENOMEM;\n\tkfree(probe);\n\n\tr = kvm_loongarch_env_init();\n\tif (r)\n\t\treturn r;',
    also: { find: 'static int kvm_loongarch_init(void)\n{\n\tint r;', replace: 'static int kvm_loongarch_init(void)\n{\n\tint r;\n\tu32 *probe;' },
  },
  {
    // A device registered only `if (nested)`, unregistered on the failure path under the same test.
    id: 'svm-conditional-setup-and-undo',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'kvm-init-paths',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\tr = kvm_init(sizeof(struct vcpu_svm), __alignof__(struct vcpu_svm),\n\t\t     THIS_MODULE);\n\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__svm_exit();',
    replace:
      '\tif (nested) {\n\t\tr = misc_register(&svm_nested_dev);\n\t\tif (r)\n\t\t\tgoto err_misc;\n\t}\n\n\tr = kvm_init(sizeof(struct vcpu_svm), __alignof__(struct vcpu_svm),\n\t\t     THIS_MODULE);\n\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\tif (nested)\n\t\tmisc_deregister(&svm_nested_dev);\nerr_misc:\n\t__svm_exit();',
    also: {
      find: 'static int __init svm_init(void)\n{',
      replace:
        'static struct miscdevice svm_nested_dev = {\n\t.minor = MISC_DYNAMIC_MINOR,\n\t.name = \"kvm-nested\",\n};\n\nstatic int __init svm_init(void)\n{',
    },
  },
  {
    // The same undo written as vmx_hardware_setup() writes its own: `if (r && nested)`.
    id: 'svm-conditional-undo-with-and',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'kvm-init-paths',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\tr = kvm_init(sizeof(struct vcpu_svm), __alignof__(struct vcpu_svm),\n\t\t     THIS_MODULE);\n\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__svm_exit();',
    replace:
      '\tif (nested) {\n\t\tr = misc_register(&svm_nested_dev);\n\t\tif (r)\n\t\t\tgoto err_misc;\n\t}\n\n\tr = kvm_init(sizeof(struct vcpu_svm), __alignof__(struct vcpu_svm),\n\t\t     THIS_MODULE);\n\tif (r && nested)\n\t\tmisc_deregister(&svm_nested_dev);\n\tif (r)\n\t\tgoto err_misc;\n\n\treturn 0;\n\nerr_misc:\n\t__svm_exit();',
    also: {
      find: 'static int __init svm_init(void)\n{',
      replace:
        'static struct miscdevice svm_nested_dev = {\n\t.minor = MISC_DYNAMIC_MINOR,\n\t.name = \"kvm-nested\",\n};\n\nstatic int __init svm_init(void)\n{',
    },
  },
  {
    // The per-CPU lists reached through per_cpu_ptr(&…) instead of &per_cpu(…): the same writes.
    id: 'vmx-per-cpu-ptr-style',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'check-style',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n\n\t\tpi_init_cpu(cpu);',
    replace: '\t\tINIT_LIST_HEAD(per_cpu_ptr(&loaded_vmcss_on_cpu, cpu));\n\n\t\tpi_init_cpu(cpu);',
  },
  {
    // for_each_possible_cpu() written out as the loop it stands for.
    id: 'vmx-cpu-loop-written-out',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'check-style',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tfor_each_possible_cpu(cpu) {\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));',
    replace:
      '\tfor (cpu = 0; cpu < nr_cpu_ids; cpu++) {\n\t\tif (!cpu_possible(cpu))\n\t\t\tcontinue;\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));',
  },
  {
    // A check after kvm_init() that only decides what to log: no work after kvm_init().
    id: 'svm-log-decision-after-kvm-init',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'log-line',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__svm_exit();',
    replace:
      '\tif (r)\n\t\tgoto err_kvm_init;\n\n\tif (!npt_enabled)\n\t\tpr_info("kvm_amd: running without NPT\\n");\n\treturn 0;\n\nerr_kvm_init:\n\t__svm_exit();',
  },
  {
    // A call kept under `#if 0` (code parked in a patch under review) is never compiled: not a second kvm_init().
    id: 'riscv-parked-code-under-if-0',
    tree: '6.12',
    arch: 'riscv',
    class: 'kvm-init-paths',
    file: 'arch/riscv/kvm/main.c',
    find: '\trc = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (rc) {',
    replace: '#if 0\n\trc = kvm_init(sizeof(struct kvm_vcpu), 0, NULL);\n#endif\n\trc = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (rc) {',
  },
  {
    // An old version of the module init parked under `#if 0` above the real one: the real one is read.
    id: 'riscv-parked-old-module-init',
    tree: '6.12',
    arch: 'riscv',
    class: 'kvm-init-paths',
    file: 'arch/riscv/kvm/main.c',
    find: 'static int __init riscv_kvm_init(void)\n{',
    replace:
      '#if 0\nstatic int __init riscv_kvm_init(void)\n{\n\treturn kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n}\n#endif\n\nstatic int __init riscv_kvm_init(void)\n{',
  },
  {
    // Built-in code registered with the initcall module_init() stands for in a built-in object.
    id: 'arm64-device-initcall',
    tree: '6.12',
    arch: 'arm64',
    class: 'header-style',
    file: 'arch/arm64/kvm/arm.c',
    find: 'module_init(kvm_arm_init);',
    replace: 'device_initcall(kvm_arm_init);',
  },
  {
    // The opening brace on the header's line, as checkpatch would flag but a patch may still have.
    id: 'svm-brace-on-header-line',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'header-style',
    file: 'arch/x86/kvm/svm/svm.c',
    find: 'static int __init svm_init(void)\n{',
    replace: 'static int __init svm_init(void) {',
  },
  {
    // The call assigned inside its own check, an older style.
    id: 'svm-assignment-in-condition',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'check-style',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\tr = kvm_x86_vendor_init(&svm_init_ops);\n\tif (r)\n\t\treturn r;',
    replace: '\tif ((r = kvm_x86_vendor_init(&svm_init_ops)))\n\t\treturn r;',
  },
  {
    // The call's result tested directly, the error code made up: the same failure point.
    id: 'vmx-call-tested-directly',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'check-style',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tr = vmx_setup_l1d_flush(vmentry_l1d_flush_param);\n\tif (r)\n\t\tgoto err_l1d_flush;',
    replace: '\tif (vmx_setup_l1d_flush(vmentry_l1d_flush_param)) {\n\t\tr = -EINVAL;\n\t\tgoto err_l1d_flush;\n\t}',
  },
  {
    // Success returns r, which is 0 there.
    id: 'vmx-success-returns-r',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'early-return',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__vmx_exit();',
    replace: '\t\tgoto err_kvm_init;\n\n\treturn r;\n\nerr_kvm_init:\n\t__vmx_exit();',
  },
  {
    // A new step in the middle, with its label in the chain where it belongs: nothing to report.
    id: 'vmx-new-step-with-its-label',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'helper-block',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tr = vmx_setup_l1d_flush(vmentry_l1d_flush_param);\n\tif (r)\n\t\tgoto err_l1d_flush;\n',
    replace:
      '\tr = vmx_setup_l1d_flush(vmentry_l1d_flush_param);\n\tif (r)\n\t\tgoto err_l1d_flush;\n\n\tr = misc_register(&vmx_demo_dev);\n\tif (r)\n\t\tgoto err_misc;\n',
    also: {
      find: 'err_kvm_init:\n\t__vmx_exit();\nerr_l1d_flush:',
      replace: 'err_kvm_init:\n\tmisc_deregister(&vmx_demo_dev);\nerr_misc:\n\t__vmx_exit();\nerr_l1d_flush:',
    },
    more: {
      find: 'static void vmx_exit(void)\n{\n\tkvm_exit();\n\t__vmx_exit();',
      replace:
        'static struct miscdevice vmx_demo_dev = {\n\t.minor = MISC_DYNAMIC_MINOR,\n\t.name = \"kvm-vmx-demo\",\n};\n\nstatic void vmx_exit(void)\n{\n\tkvm_exit();\n\tmisc_deregister(&vmx_demo_dev);\n\t__vmx_exit();',
    },
  },
  {
    // kvm_init()'s per-CPU allocation loop moved into a helper that returns -ENOMEM.
    id: 'kvm-init-kick-masks-in-helper',
    tree: '6.12',
    arch: 'riscv',
    class: 'helper-block',
    file: 'virt/kvm/kvm_main.c',
    find: '\tfor_each_possible_cpu(cpu) {\n\t\tif (!alloc_cpumask_var_node(&per_cpu(cpu_kick_mask, cpu),\n\t\t\t\t\t    GFP_KERNEL, cpu_to_node(cpu))) {\n\t\t\tr = -ENOMEM;\n\t\t\tgoto err_cpu_kick_mask;\n\t\t}\n\t}\n\n\tr = kvm_irqfd_init();',
    replace: '\tr = kvm_alloc_cpu_kick_masks();\n\tif (r)\n\t\tgoto err_cpu_kick_mask;\n\n\tr = kvm_irqfd_init();',
    also: {
      find: 'int kvm_init(unsigned vcpu_size, unsigned vcpu_align, struct module *module)\n{',
      replace:
        'static int kvm_alloc_cpu_kick_masks(void)\n{\n\tint cpu;\n\n\tfor_each_possible_cpu(cpu) {\n\t\tif (!alloc_cpumask_var_node(&per_cpu(cpu_kick_mask, cpu),\n\t\t\t\t\t    GFP_KERNEL, cpu_to_node(cpu)))\n\t\t\treturn -ENOMEM;\n\t}\n\treturn 0;\n}\n\nint kvm_init(unsigned vcpu_size, unsigned vcpu_align, struct module *module)\n{',
    },
  },
  {
    // WARN_ON_ONCE() written beside the check instead of around it.
    id: 'kvm-init-warn-beside-check',
    tree: '6.12',
    arch: 'riscv',
    class: 'check-style',
    file: 'virt/kvm/kvm_main.c',
    find: '\tr = kvm_vfio_ops_init();\n\tif (WARN_ON_ONCE(r))\n\t\tgoto err_vfio;',
    replace: '\tr = kvm_vfio_ops_init();\n\tif (r) {\n\t\tWARN_ON_ONCE(1);\n\t\tgoto err_vfio;\n\t}',
  },
  {
    // WRITE_ONCE() for a plain store: the same state written after kvm_init(), the same finding.
    id: 'arm64-write-once-store',
    tree: '6.12',
    arch: 'arm64',
    class: 'check-style',
    file: 'arch/arm64/kvm/arm.c',
    find: '\tkvm_arm_initialised = true;\n\n\treturn 0;',
    replace: '\tWRITE_ONCE(kvm_arm_initialised, true);\n\n\treturn 0;',
  },
  {
    // kvm_init() called under a lock the module init takes and releases around it.
    id: 'riscv-kvm-init-under-lock',
    tree: '6.12',
    arch: 'riscv',
    class: 'critical-section',
    file: 'arch/riscv/kvm/main.c',
    find: '\trc = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (rc) {',
    replace:
      '\tmutex_lock(&riscv_kvm_init_lock);\n\trc = kvm_init(sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tmutex_unlock(&riscv_kvm_init_lock);\n\tif (rc) {',
    also: {
      find: 'static int __init riscv_kvm_init(void)\n{',
      replace: 'static DEFINE_MUTEX(riscv_kvm_init_lock);\n\nstatic int __init riscv_kvm_init(void)\n{',
    },
  },
  {
    // The error leaves a do { } while (0) block with break, to the unwinding after it.
    id: 'svm-break-out-of-block',
    tree: '6.12',
    arch: 'x86-svm',
    class: 'goto-to-if',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\tr = kvm_init(sizeof(struct vcpu_svm), __alignof__(struct vcpu_svm),\n\t\t     THIS_MODULE);\n\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__svm_exit();\n\treturn r;',
    replace:
      '\tdo {\n\t\tr = kvm_init(sizeof(struct vcpu_svm), __alignof__(struct vcpu_svm),\n\t\t\t     THIS_MODULE);\n\t\tif (r)\n\t\t\tbreak;\n\t\treturn 0;\n\t} while (0);\n\n\t__svm_exit();\n\treturn r;',
  },
  {
    // Success jumps over the unwinding to a return shared with the failure paths, returning r (0 there).
    id: 'vmx-shared-return-of-r',
    tree: '6.12',
    arch: 'x86-vmx',
    class: 'label-style',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\t__vmx_exit();\nerr_l1d_flush:\n\tkvm_x86_vendor_exit();\n\treturn r;\n}',
    replace: '\t\tgoto err_kvm_init;\n\tgoto out;\n\nerr_kvm_init:\n\t__vmx_exit();\nerr_l1d_flush:\n\tkvm_x86_vendor_exit();\nout:\n\treturn r;\n}',
  },
  // --- Linux 6.1: bugs ----------------------------------------------------------------------------
  {
    id: 'v61-vmx-label-drops-vendor-exit',
    tree: '6.1',
    arch: 'x86-vmx',
    class: 'dropped-undo-label',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: 'err_l1d_flush:\n\tkvm_x86_vendor_exit();\n\treturn r;',
    replace: 'err_l1d_flush:\n\treturn r;',
    expect: [
      { rule: 'unwind-on-failure', arch: 'x86-vmx', file: 'arch/x86/kvm/vmx/vmx.c', at: ['r = vmx_setup_l1d_flush(vmentry_l1d_flush_param);', 'if (r)'] },
    ],
  },
  {
    id: 'v61-s390-arch-init-drops-exit',
    tree: '6.1',
    arch: 's390',
    class: 'dropped-undo-label',
    file: 'arch/s390/kvm/kvm-s390.c',
    find: 'out:\n\tkvm_arch_exit();\n\treturn rc;',
    replace: 'out:\n\treturn rc;',
    // Each step the exit used to take back is now left set up where a later step first fails.
    expect: [
      {
        rule: 'unwind-on-failure',
        arch: 's390',
        file: 'arch/s390/kvm/kvm-s390.c',
        at: ['kvm_s390_dbf_uv = debug_register("kvm-uv", 32, 1, 7 * sizeof(long));', 'if (!kvm_s390_dbf_uv)'],
      },
      {
        rule: 'unwind-on-failure',
        arch: 's390',
        file: 'arch/s390/kvm/kvm-s390.c',
        at: ['if (debug_register_view(kvm_s390_dbf, &debug_sprintf_view) ||', 'debug_register_view(kvm_s390_dbf,'],
      },
      { rule: 'unwind-on-failure', arch: 's390', file: 'arch/s390/kvm/kvm-s390.c', at: ['rc = kvm_s390_gib_init(GAL_ISC);', 'if (rc)'] },
    ],
  },
  {
    id: 'v61-kvm-init-drops-hardware-unsetup',
    tree: '6.1',
    arch: 'mips',
    class: 'dropped-undo-label',
    file: 'virt/kvm/kvm_main.c',
    find: 'out_free_2:\n\tkvm_arch_hardware_unsetup();\n',
    replace: 'out_free_2:\n',
    expect: [
      {
        rule: 'unwind-on-failure',
        arch: 'generic',
        file: 'virt/kvm/kvm_main.c',
        at: ['smp_call_function_single(cpu, check_processor_compat, &c, 1);', 'if (r < 0)'],
      },
    ],
  },
  {
    id: 'v61-svm-label-drops-vendor-exit',
    tree: '6.1',
    arch: 'x86-svm',
    class: 'dropped-undo-label',
    file: 'arch/x86/kvm/svm/svm.c',
    find: 'err_kvm_init:\n\tkvm_x86_vendor_exit();\n\treturn r;',
    replace: 'err_kvm_init:\n\treturn r;',
    expect: [
      { rule: 'unwind-on-failure', arch: 'x86-svm', file: 'arch/x86/kvm/svm/svm.c', at: ['r = kvm_init(&svm_init_ops, sizeof(struct vcpu_svm),', 'if (r)'] },
    ],
  },
  {
    id: 'v61-svm-reads-npt-before-hardware-setup',
    tree: '6.1',
    arch: 'x86-svm',
    class: 'read-before-settled',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\t__unused_size_checks();\n',
    replace: '\t__unused_size_checks();\n\n\tif (!npt_enabled)\n\t\tpr_info("kvm_amd: shadow paging\\n");\n',
    expect: [{ rule: 'read-before-settled', arch: 'x86-svm', file: 'arch/x86/kvm/svm/svm.c', at: 'pr_info("kvm_amd: shadow paging' }],
  },
  {
    id: 'v61-mips-reads-callbacks-before-arch-init',
    tree: '6.1',
    arch: 'mips',
    class: 'read-before-settled',
    file: 'arch/mips/kvm/mips.c',
    find: '\tret = kvm_mips_entry_setup();\n\tif (ret)\n\t\treturn ret;\n\n\tret = kvm_init(NULL,',
    replace:
      '\tret = kvm_mips_entry_setup();\n\tif (ret)\n\t\treturn ret;\n\n\tif (kvm_mips_callbacks)\n\t\tpr_info("kvm: callbacks ready\\n");\n\n\tret = kvm_init(NULL,',
    expect: [{ rule: 'read-before-settled', arch: 'mips', file: 'arch/mips/kvm/mips.c', at: 'pr_info("kvm: callbacks ready' }],
  },
  {
    id: 'v61-vmx-uses-vpid-before-hardware-setup',
    tree: '6.1',
    arch: 'x86-vmx',
    class: 'read-before-settled',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tvmx_check_vmcs12_offsets();\n',
    replace: '\tvmx_check_vmcs12_offsets();\n\n\tif (enable_vpid)\n\t\tpr_info("kvm_intel: VPID enabled\\n");\n',
    expect: [{ rule: 'read-before-settled', arch: 'x86-vmx', file: 'arch/x86/kvm/vmx/vmx.c', at: 'pr_info("kvm_intel: VPID enabled' }],
  },
  {
    id: 'v61-mips-can-fail-after-kvm-init',
    tree: '6.1',
    arch: 'mips',
    class: 'fail-after-kvm-init',
    file: 'arch/mips/kvm/mips.c',
    find: '\tregister_die_notifier(&kvm_mips_csr_die_notifier);\n\n\treturn 0;\n}',
    replace: '\tregister_die_notifier(&kvm_mips_csr_die_notifier);\n\n\treturn kvm_mips_entry_setup();\n}',
    expect: [
      { rule: 'unwind-on-failure', arch: 'mips', file: 'arch/mips/kvm/mips.c', at: 'return kvm_mips_entry_setup();' },
      // The work after kvm_init() now ends with the new call.
      {
        rule: 'kvm-init-last',
        arch: 'mips',
        file: 'arch/mips/kvm/mips.c',
        at: 'kvm_priority_to_irq = kvm_loongson3_priority_to_irq;',
        message: '"kvm_mips_entry_setup#2"',
      },
    ],
  },

  {
    // kvm_init()'s error logged and dropped: the module stays loaded without KVM, and its exit
    // calls kvm_exit() for a kvm_init() that failed.
    id: 'v61-mips-kvm-init-error-dropped',
    tree: '6.1',
    arch: 'mips',
    class: 'lost-error',
    file: 'arch/mips/kvm/mips.c',
    find: '\tret = kvm_init(NULL, sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\n\tif (ret)\n\t\treturn ret;',
    replace:
      '\tret = kvm_init(NULL, sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\n\tif (ret) {\n\t\tpr_err("kvm: kvm_init() failed: %d\\n", ret);\n\t\treturn 0;\n\t}',
    expect: [
      {
        rule: 'unwind-on-failure',
        arch: 'mips',
        file: 'arch/mips/kvm/mips.c',
        at: ['pr_err("kvm: kvm_init() failed: %d\\n", ret);', 'return 0;'],
        message: 'kvm_init() can fail, but its failure path returns success',
      },
    ],
  },
  {
    // A check added to 6.1's hardware-setup hook after it registered the perf callbacks, returning without undoing them.
    id: 'v61-hardware-setup-check-without-unwinding',
    tree: '6.1',
    arch: 'x86-vmx',
    class: 'dropped-undo-label',
    file: 'arch/x86/kvm/x86.c',
    find: '\tkvm_register_perf_callbacks(ops->handle_intel_pt_intr);\n',
    replace: '\tkvm_register_perf_callbacks(ops->handle_intel_pt_intr);\n\n\tr = kvm_check_vendor_caps(ops);\n\tif (r)\n\t\treturn r;\n',
    expect: [
      {
        rule: 'unwind-on-failure',
        arch: 'x86-vmx',
        file: 'arch/x86/kvm/x86.c',
        at: ['r = kvm_check_vendor_caps(ops);', 'if (r)'],
        message: 'does not undo hardware_setup(): vmx_bitmap, vmxarea stay set up',
      },
      {
        rule: 'unwind-on-failure',
        arch: 'x86-vmx',
        file: 'arch/x86/kvm/x86.c',
        at: ['r = kvm_check_vendor_caps(ops);', 'if (r)'],
        message: 'does not undo kvm_register_perf_callbacks()',
      },
    ],
  },
  // --- Linux 6.1: controls -------------------------------------------------------------------------
  {
    id: 'v61-svm-goto-to-nested-if',
    tree: '6.1',
    arch: 'x86-svm',
    class: 'goto-to-if',
    file: 'arch/x86/kvm/svm/svm.c',
    find: '\tif (r)\n\t\tgoto err_kvm_init;\n\n\treturn 0;\n\nerr_kvm_init:\n\tkvm_x86_vendor_exit();\n\treturn r;',
    replace: '\tif (r) {\n\t\tkvm_x86_vendor_exit();\n\t\treturn r;\n\t}\n\n\treturn 0;',
  },
  {
    id: 'v61-s390-tail-call-as-variable',
    tree: '6.1',
    arch: 's390',
    class: 'early-return',
    file: 'arch/s390/kvm/kvm-s390.c',
    find: '\treturn kvm_init(NULL, sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n}',
    replace: '\tint r = kvm_init(NULL, sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\n\tif (r)\n\t\treturn r;\n\treturn 0;\n}',
  },
  {
    // 5.19's order on 6.1: the loaded-VMCS lists set up after kvm_init(). Under 6.1's own
    // kvm_init() nothing runs the disable hook at load, and its CPU hotplug, suspend and reboot
    // callbacks run it only while a VM exists (kvm_usage_count, cpus_hardware_enabled): only
    // userspace can, from /dev/kvm on, a window, so a warning; under tdx-v7 it is certain (see
    // the CLI's tests).
    id: 'v61-vmx-lists-after-kvm-init',
    tree: '6.1',
    arch: 'x86-vmx',
    class: 'window',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tfor_each_possible_cpu(cpu) {\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n\n\t\tpi_init_cpu(cpu);\n\t}\n',
    replace: '',
    also: {
      find: '\t\t     __alignof__(struct vcpu_vmx), THIS_MODULE);\n\tif (r)\n\t\tgoto err_kvm_init;\n',
      replace:
        '\t\t     __alignof__(struct vcpu_vmx), THIS_MODULE);\n\tif (r)\n\t\tgoto err_kvm_init;\n\n\tfor_each_possible_cpu(cpu) {\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n\n\t\tpi_init_cpu(cpu);\n\t}\n',
    },
    expect: [
      {
        rule: 'hook-state-initialized',
        arch: 'x86-vmx',
        file: 'arch/x86/kvm/vmx/vmx.c',
        at: 'list_for_each_entry_safe(v, n, &per_cpu(loaded_vmcss_on_cpu, cpu),',
        severity: 'warning',
        message: 'a window: from kvm_init() step "misc_register" until INIT_LIST_HEAD() in vmx_init(), it runs if userspace creates a VM',
      },
      {
        rule: 'kvm-init-last',
        arch: 'x86-vmx',
        file: 'arch/x86/kvm/vmx/vmx.c',
        at: '\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));',
        severity: 'warning',
      },
    ],
  },
  {
    id: 'v61-vmx-log-line',
    tree: '6.1',
    arch: 'x86-vmx',
    class: 'log-line',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: '\tvmx_setup_fb_clear_ctrl();\n',
    replace: '\tvmx_setup_fb_clear_ctrl();\n\tpr_debug("kvm_intel: l1d flush set up\\n");\n',
  },
  {
    id: 'v61-arm64-arch-init-log-line',
    tree: '6.1',
    arch: 'arm64',
    class: 'log-line',
    file: 'arch/arm64/kvm/arm.c',
    find: '\terr = init_subsystems();\n\tif (err)\n\t\tgoto out_hyp;',
    replace: '\tkvm_info("init subsystems\\n");\n\terr = init_subsystems();\n\tif (err)\n\t\tgoto out_hyp;',
  },
  {
    // 6.1's hotplug callback gated with a goto instead of a then-branch: the same gate, so MIPS's
    // window still opens at /dev/kvm (generic.ts reads both forms).
    id: 'v61-hotplug-gate-as-goto',
    tree: '6.1',
    arch: 'mips',
    class: 'gate-style',
    file: 'virt/kvm/kvm_main.c',
    find: '\traw_spin_lock(&kvm_count_lock);\n\tif (kvm_usage_count)\n\t\thardware_enable_nolock(NULL);\n\traw_spin_unlock(&kvm_count_lock);\n\treturn 0;\n}',
    replace:
      '\traw_spin_lock(&kvm_count_lock);\n\tif (!kvm_usage_count)\n\t\tgoto out;\n\thardware_enable_nolock(NULL);\nout:\n\traw_spin_unlock(&kvm_count_lock);\n\treturn 0;\n}',
  },
  {
    id: 'v61-mips-check-style',
    tree: '6.1',
    arch: 'mips',
    class: 'check-style',
    file: 'arch/mips/kvm/mips.c',
    find: '\tret = kvm_init(NULL, sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\n\tif (ret)\n\t\treturn ret;',
    replace: '\tret = kvm_init(NULL, sizeof(struct kvm_vcpu), 0, THIS_MODULE);\n\tif (ret < 0)\n\t\treturn ret;',
  },
  {
    // The name of the definition on a line of its own, in a module init with findings of its own.
    id: 'v61-vmx-header-name-on-own-line',
    tree: '6.1',
    arch: 'x86-vmx',
    class: 'header-style',
    file: 'arch/x86/kvm/vmx/vmx.c',
    find: 'static int __init vmx_init(void)\n{\n\tint r, cpu;',
    replace: 'static int __init\nvmx_init(void)\n{\n\tint r, cpu;',
  },
  {
    // One exit point in a setup hook whose failure paths leave things set up: the same findings.
    id: 'v61-arm64-arch-init-single-exit-point',
    tree: '6.1',
    arch: 'arm64',
    class: 'label-style',
    file: 'arch/arm64/kvm/arm.c',
    find: '\t\tkvm_info("Hyp mode initialized successfully\\n");\n\t}\n\n\treturn 0;\n\nout_hyp:',
    replace: '\t\tkvm_info("Hyp mode initialized successfully\\n");\n\t}\n\n\terr = 0;\n\tgoto out;\n\nout_hyp:',
    also: {
      find: 'out_err:\n\tkvm_arm_vmid_alloc_free();\n\treturn err;\n}\n\n/* NOP',
      replace: 'out_err:\n\tkvm_arm_vmid_alloc_free();\nout:\n\treturn err;\n}\n\n/* NOP',
    },
  },
  {
    // The same in a setup hook kvm_init() runs, which has failure paths of its own.
    id: 'v61-arm64-arch-init-preempt-section',
    tree: '6.1',
    arch: 'arm64',
    class: 'critical-section',
    file: 'arch/arm64/kvm/arm.c',
    find: '\tin_hyp_mode = is_kernel_in_hyp_mode();\n',
    replace: '\tpreempt_disable();\n\tin_hyp_mode = is_kernel_in_hyp_mode();\n\tpreempt_enable();\n',
  },
];
