/* SPDX-License-Identifier: ISC */
/* sandbox_filter.c: stage 2, the seccomp allowlists. */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/seccomp.h>
#include <sys/ucontext.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sched.h>

#include "sandbox_fail.h"

#define S	(1u << SANDBOX_SESSION)
#define L	(1u << SANDBOX_LAUNCHER)
#define ANY_ARG	(-1)

/*
 * One row per rule.  A call with no row is killed.  err != 0 makes the call
 * fail with that errno instead: libraries probe files opportunistically,
 * and an error is better than a dead process (OpenSSH does the same).  When
 * arg >= 0 the rule applies only if (argument & mask) == value; several
 * rows for one call are alternatives.
 */
struct filter_rule {
	const char *name;
	unsigned profiles;
	int err;
	int arg;
	scmp_datum_t mask;
	scmp_datum_t value;
};

#define ALLOW(name, prof)	{ #name, prof, 0, ANY_ARG, 0, 0 }
#define ALLOW_IF(name, prof, arg, mask, value) \
				{ #name, prof, 0, arg, mask, value }
#define ALLOW_EQ(name, prof, arg, value) \
				ALLOW_IF(name, prof, arg, ~(scmp_datum_t)0, value)
#define FAIL(name, prof, err)	{ #name, prof, err, ANY_ARG, 0, 0 }

/* Namespaces and threads are nothing a launcher's fork needs. */
#define CLONE_REFUSED	(CLONE_THREAD | CLONE_VM | CLONE_NEWNS | \
    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | \
    CLONE_NEWUTS | CLONE_NEWCGROUP)

static const struct filter_rule rules[] = {
	/* I/O on descriptors the process already holds. */
	ALLOW(read, S | L),
	ALLOW(readv, S | L),
	ALLOW(write, S | L),
	ALLOW(writev, S | L),
	ALLOW(recvmsg, S | L),		/* IPC with passed descriptors */
	ALLOW(sendmsg, S | L),
	ALLOW(recvfrom, S | L),		/* recv(3) on the client socket */
	ALLOW(sendto, S | L),		/* send(3) on the client socket */
	ALLOW(close, S | L),
	ALLOW(shutdown, S | L),		/* half-close the client */
	ALLOW_EQ(fcntl, S | L, 1, F_GETFL),	/* non-blocking mode */
	ALLOW_EQ(fcntl, S | L, 1, F_SETFL),
	ALLOW_EQ(fcntl, S | L, 1, F_GETFD),
	ALLOW_EQ(fcntl, S | L, 1, F_SETFD),
	/* Waiting for events. */
	ALLOW(poll, S | L),
	ALLOW(ppoll, S | L),
	ALLOW(epoll_wait, S | L),
	ALLOW(epoll_pwait, S | L),
	ALLOW(epoll_ctl, S | L),	/* on an epoll set made before */
	/* Time. */
	ALLOW(clock_gettime, S | L),
	ALLOW(gettimeofday, S | L),
	ALLOW(nanosleep, S | L),
	ALLOW(clock_nanosleep, S | L),
	/* Memory, never executable: no new code can be mapped. */
	ALLOW(brk, S | L),
	ALLOW_IF(mmap, S | L, 2, PROT_EXEC, 0),
	ALLOW_IF(mprotect, S | L, 2, PROT_EXEC, 0),
	ALLOW(munmap, S | L),
	ALLOW(mremap, S | L),
	ALLOW_EQ(madvise, S | L, 2, MADV_NORMAL),	/* malloc trimming */
	ALLOW_EQ(madvise, S | L, 2, MADV_DONTNEED),
	ALLOW_EQ(madvise, S | L, 2, MADV_FREE),
	ALLOW_EQ(madvise, S | L, 2, MADV_DONTDUMP),
	ALLOW_EQ(madvise, S | L, 2, MADV_NOHUGEPAGE),
	ALLOW(futex, S | L),		/* acts on the process's own memory */
	/* The process itself. */
	ALLOW(getpid, S | L),
	ALLOW(gettid, S | L),
	ALLOW(getrandom, S | L),
	ALLOW(rt_sigprocmask, S | L),
	ALLOW(rt_sigreturn, S | L),	/* return from a signal handler */
	ALLOW(restart_syscall, S | L),
	ALLOW(exit, S | L),
	ALLOW(exit_group, S | L),
	/* Probes by libc (stdio, locale, time zone): deny, do not kill. */
	FAIL(open, S | L, EACCES),
	FAIL(openat, S | L, EACCES),
	FAIL(stat, S | L, EACCES),
	FAIL(lstat, S | L, EACCES),
	FAIL(fstat, S | L, EACCES),
	FAIL(newfstatat, S | L, EACCES),
	FAIL(statx, S | L, EACCES),
	FAIL(access, S | L, EACCES),
	FAIL(faccessat, S | L, EACCES),
	FAIL(faccessat2, S | L, EACCES),
	/* The launcher forks a confined child per session and reaps it. */
	ALLOW_IF(clone, L, 0, CLONE_REFUSED, 0),
	FAIL(clone3, L, ENOSYS),	/* glibc then falls back to clone */
	ALLOW(wait4, L),
	ALLOW(waitid, L),
	ALLOW(kill, L),			/* end a child that overran */
	ALLOW_EQ(socketpair, L, 0, AF_UNIX),	/* a channel per child */
	ALLOW(rt_sigaction, L),		/* reset handlers in a child */
	ALLOW(set_robust_list, L),	/* glibc's fork, in the child */
	ALLOW(getppid, L),
	ALLOW(close_range, L),		/* a child keeps only its channel */
	ALLOW(dup, L),			/* hand a child's channel over */
	/* A child narrows its limits and stacks the session filter. */
	ALLOW_EQ(prlimit64, L, 0, 0),
	ALLOW(setrlimit, L),
	ALLOW_EQ(prctl, L, 0, PR_SET_NO_NEW_PRIVS),
	ALLOW_EQ(prctl, L, 0, PR_GET_NO_NEW_PRIVS),
	ALLOW_EQ(prctl, L, 0, PR_SET_SECCOMP),
	ALLOW(seccomp, L),		/* a filter can only narrow */
#if defined(__SANITIZE_ADDRESS__)
	/* Sanitizer builds only: the runtime's _exit unmaps the signal stack.
	 * Its leak check needs ptrace, so confined processes end with _exit
	 * and leaks are looked for where their code runs unconfined. */
	ALLOW(sigaltstack, S | L),
#endif
};

/* The kernel skips a trapped call and leaves its number as the return
 * value; make it fail the way an unknown call does. */
static void
fail_trapped_call(void *uctx)
{
	ucontext_t *uc = uctx;

#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__aarch64__)
	uc->uc_mcontext.regs[0] = (unsigned long long)-ENOSYS;
#else
#error "sandbox_filter: teach fail_trapped_call this architecture"
#endif
}

/* Logs a denied call in trap_debug mode; the call then fails with ENOSYS.
 * Only async-signal-safe work: format by hand, one write. */
static void
report_denied(int sig, siginfo_t *info, void *uctx)
{
	char line[64] = "sandbox: denied system call ";
	size_t n = strlen(line);
	char digits[12];
	size_t nd = 0;
	unsigned nr = (unsigned)info->si_syscall;

	do {
		digits[nd++] = (char)('0' + nr % 10);
		nr /= 10;
	} while (nr != 0 && nd < sizeof(digits));
	while (nd > 0 && n < sizeof(line) - 1)
		line[n++] = digits[--nd];
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
	fail_trapped_call(uctx);
}

static void
install_trap_reporter(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = report_denied;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL) == -1)
		sandbox_fail("sigaction SIGSYS");
}

static int
add_rule(scmp_filter_ctx ctx, const struct filter_rule *r)
{
	uint32_t action = r->err != 0 ? SCMP_ACT_ERRNO((uint32_t)r->err) :
	    SCMP_ACT_ALLOW;
	int nr = seccomp_syscall_resolve_name(r->name);

	/* A call this architecture does not have needs no rule. */
	if (nr == __NR_SCMP_ERROR || nr < 0)
		return 0;
	if (r->arg == ANY_ARG)
		return seccomp_rule_add(ctx, action, nr, 0);
	return seccomp_rule_add(ctx, action, nr, 1,
	    SCMP_CMP((unsigned)r->arg, SCMP_CMP_MASKED_EQ, r->mask, r->value));
}

/* The exported program is a few kilobytes: a pipe holds it whole. */
static void
export_program(scmp_filter_ctx ctx, struct sandbox_program *out)
{
	struct sock_filter *insns;
	size_t cap = 4096 * sizeof(*insns), len = 0;
	ssize_t n;
	int p[2], rc;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
		sandbox_fail("pipe for the seccomp program");
	if ((rc = seccomp_export_bpf(ctx, p[1])) != 0) {
		errno = -rc;
		sandbox_fail("seccomp_export_bpf");
	}
	if ((insns = malloc(cap)) == NULL)
		sandbox_fail("malloc");
	while (len < cap && (n = read(p[0], (char *)insns + len,
	    cap - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	close(p[1]);
	if (len == 0 || len == cap || len % sizeof(*insns) != 0) {
		errno = EINVAL;
		sandbox_fail("seccomp program size");
	}
	out->insns = insns;
	out->len = (unsigned short)(len / sizeof(*insns));
}

void
sandbox_compile(enum sandbox_profile profile, bool trap_debug,
    struct sandbox_program *out)
{
	uint32_t deny = trap_debug ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS;
	scmp_filter_ctx ctx;
	size_t i;
	int rc;

	if ((ctx = seccomp_init(deny)) == NULL) {
		errno = ENOMEM;
		sandbox_fail("seccomp_init");
	}
	/* A foreign architecture's numbering would bypass the table. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) != 0)
		goto fail;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (!(rules[i].profiles & (1u << profile)))
			continue;
		if ((rc = add_rule(ctx, &rules[i])) != 0)
			goto fail;
	}
	export_program(ctx, out);
	out->trap_debug = trap_debug;
	seccomp_release(ctx);
	return;
fail:
	errno = -rc;
	sandbox_fail("seccomp filter");
}

void
sandbox_load(const struct sandbox_program *p)
{
	struct sock_fprog prog = { p->len, p->insns };

	if (p->trap_debug)
		install_trap_reporter();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		sandbox_fail("PR_SET_NO_NEW_PRIVS");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == -1)
		sandbox_fail("load seccomp filter");
}

void
sandbox_filter(enum sandbox_profile profile, bool trap_debug)
{
	struct sandbox_program p;

	sandbox_compile(profile, trap_debug, &p);
	sandbox_load(&p);
	free(p.insns);
}
