// Lists the calls a function makes after its kvm_init() call has succeeded: the work an arch
// module init still does once /dev/kvm may be exposed. One line per call,
//   file:line: function(): callee()
// scripts/bench.mjs times it as the Coccinelle side of the comparison. Alone, from the root of
// a kernel tree (spatch prints in match order, hence the sort):
//   spatch --very-quiet --no-includes --sp-file .../after-kvm-init.cocci --dir arch | sort -V
//
// Only calls to a named function are listed (not calls through a pointer), and only in the
// function that calls kvm_init(): what the callees do in turn is not followed.

// The kernel's usual shape, `r = kvm_init(...); if (r) <unwind>`. The `if` is matched as one
// statement so that `...` starts on its fall-through: the body and the labels it jumps to are
// the failure path, not more init. `exists`: one path to a call is enough (the default wants
// every path from kvm_init() to reach it).
@checked exists@
expression E;
statement S;
identifier callee;
position pinit, pcall;
@@

E = kvm_init@pinit(...);
if (E) S
... when any
callee@pcall(...)

@script:python@
pcall << checked.pcall;
callee << checked.callee;
@@

print("%s:%s: %s(): %s()" % (pcall[0].file, pcall[0].line, pcall[0].current_element, callee))

// Where that shape is. A disjunction of both shapes in one rule does not work: the plain
// `kvm_init(...)` branch also matches the checked call and then walks into its unwind code.
@checked_site@
expression E;
statement S;
position pinit;
@@

E = kvm_init@pinit(...);
if (E) S

// Every other shape (`return kvm_init(...)`, `int rc = kvm_init(...)`, a check further down):
// every call after it, since there is no failure branch to tell apart.
@unchecked exists@
identifier callee;
position pinit != checked_site.pinit;
position pcall;
@@

kvm_init@pinit(...)
... when any
callee@pcall(...)

@script:python@
pcall << unchecked.pcall;
callee << unchecked.callee;
@@

print("%s:%s: %s(): %s()" % (pcall[0].file, pcall[0].line, pcall[0].current_element, callee))
