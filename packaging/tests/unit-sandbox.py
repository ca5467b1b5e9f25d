#!/usr/bin/python3
"""Run a command inside a systemd unit's sandbox, rebuilt without systemd (PID 1 is not systemd
on the build machines, so the unit itself can't be started there).

    unshare -m --propagation private packaging/tests/unit-sandbox.py UNIT -- COMMAND [ARG...]

What is rebuilt from the unit file, as systemd applies it:
  User=, Group= (with the user's supplementary groups, as initgroups gives them), UMask=,
  StateDirectory= and RuntimeDirectory= (created for the user, with their modes),
  ProtectSystem=strict with ReadWritePaths= (a read-only root file system, the listed paths and
  those directories writable), PrivateTmp= (empty /tmp and /var/tmp),
  NoNewPrivileges=, SystemCallFilter= with SystemCallErrorNumber= (groups expanded by
  `systemd-analyze syscall-filter`), SystemCallArchitectures=native, RestrictAddressFamilies=.
Everything else (the other Protect*= settings, capabilities: a non-root user has none) is not.
Needs root, a private mount namespace (unshare -m) and python3-seccomp.
"""
import errno
import os
import pwd
import grp
import socket
import subprocess
import sys

import seccomp


def unit_settings(path):
    """[(key, value)] of the [Service] section, in order (comments and other sections skipped)."""
    out, section = [], None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                section = line
                continue
            if section == "[Service]" and "=" in line:
                key, value = line.split("=", 1)
                out.append((key.strip(), value.strip()))
    return out


_groups = {}


def expand(name):
    """The system calls of a name: itself, or a @group's members, recursively."""
    if not name.startswith("@"):
        return {name}
    if name not in _groups:
        text = subprocess.run(["systemd-analyze", "syscall-filter", name], check=True, capture_output=True, text=True).stdout
        calls = set()
        for line in text.splitlines()[1:]:
            item = line.strip()
            if item and not item.startswith("#"):
                calls |= expand(item)
        _groups[name] = calls
    return _groups[name]


def syscall_filter(settings):
    """(allowed set or None for a deny list, denied set) from the SystemCallFilter= lines."""
    allowed, denied = None, set()
    for key, value in settings:
        if key != "SystemCallFilter":
            continue
        if value == "":
            allowed, denied = None, set()
            continue
        negate = value.startswith("~")
        names = set()
        for item in value.lstrip("~").split():
            names |= expand(item)
        if allowed is None and not negate:
            allowed = set(names)
        elif allowed is None:
            denied |= names
        elif negate:
            allowed -= names
        else:
            allowed |= names
    return allowed, denied


def families(settings):
    for key, value in settings:
        if key == "RestrictAddressFamilies" and value and not value.startswith("~"):
            return [getattr(socket, name) for name in value.split()]
    return None


def last(settings, key, default=None):
    values = [v for k, v in settings if k == key]
    return values[-1] if values else default


def mount(*args):
    subprocess.run(["mount", *args], check=True)


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    settings = unit_settings(sys.argv[1])
    command = sys.argv[3:]

    # State and runtime directories, created for the unit's user as systemd does (the caller
    # removes the runtime directory afterwards, as systemd does when the unit stops).
    user = last(settings, "User")
    pw = pwd.getpwnam(user) if user else None
    for key, base in (("StateDirectory", "/var/lib/"), ("RuntimeDirectory", "/run/")):
        mode = int(last(settings, key + "Mode", "0755"), 8)
        for d in (v for k, v in settings if k == key for v in v.split()):
            os.makedirs(base + d, exist_ok=True)
            if pw:
                os.chown(base + d, pw.pw_uid, grp.getgrnam(last(settings, "Group")).gr_gid if last(settings, "Group") else pw.pw_gid)
            os.chmod(base + d, mode)

    # Files: a read-only root, the unit's writable paths bound over it, private temp directories.
    if last(settings, "ProtectSystem") == "strict":
        writable = []
        for key, value in settings:
            if key == "ReadWritePaths":
                writable += value.split()
            elif key == "StateDirectory":
                writable += ["/var/lib/" + d for d in value.split()]
            elif key == "RuntimeDirectory":
                writable += ["/run/" + d for d in value.split()]
        for path in writable:
            optional = path.startswith("-")
            path = path.lstrip("-")
            if not os.path.exists(path):
                if optional:
                    continue
                sys.exit(f"unit-sandbox: {path} does not exist")
            mount("--bind", path, path)
        mount("-o", "remount,bind,ro", "/")
    if last(settings, "PrivateTmp") == "yes":
        for path in ("/tmp", "/var/tmp"):
            mount("-t", "tmpfs", "-o", "mode=1777,nosuid,nodev", "tmpfs", path)

    # Identity.
    if user:
        gid = grp.getgrnam(last(settings, "Group")).gr_gid if last(settings, "Group") else pw.pw_gid
        os.initgroups(user, gid)
        os.setgid(gid)
        os.setuid(pw.pw_uid)
        env = {"HOME": pw.pw_dir, "USER": user, "LOGNAME": user, "SHELL": pw.pw_shell}
    else:
        env = {}
    env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    env["LANG"] = "C.UTF-8"
    umask = last(settings, "UMask")
    if umask:
        os.umask(int(umask, 8))

    # Address families first (loading a filter is a system call the next filter may refuse), as
    # systemd builds them: anything below, above or between the allowed families is refused.
    # libseccomp sets no_new_privs when it loads a filter (NoNewPrivileges=yes).
    fams = families(settings)
    if fams is not None:
        f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        no = seccomp.ERRNO(errno.EAFNOSUPPORT)
        f.add_rule(no, "socket", seccomp.Arg(0, seccomp.LT, min(fams)))
        f.add_rule(no, "socket", seccomp.Arg(0, seccomp.GT, max(fams)))
        for fam in range(min(fams) + 1, max(fams)):
            if fam not in fams:
                f.add_rule(no, "socket", seccomp.Arg(0, seccomp.EQ, fam))
        f.load()
    allowed, denied = syscall_filter(settings)
    errname = last(settings, "SystemCallErrorNumber")
    refuse = seccomp.ERRNO(getattr(errno, errname)) if errname else seccomp.KILL_PROCESS
    if allowed is not None or denied:
        # systemd always lets these through, whatever the filter says
        allowed = allowed | {"execve", "exit", "exit_group", "getrlimit", "rt_sigreturn"} if allowed is not None else None
        f = seccomp.SyscallFilter(defaction=refuse if allowed is not None else seccomp.ALLOW)
        for name in sorted(allowed if allowed is not None else denied):
            try:
                f.add_rule(seccomp.ALLOW if allowed is not None else refuse, name)
            except (RuntimeError, ValueError, OSError):
                pass  # not a system call of this architecture
        f.load()
    os.execvpe(command[0], command, env)


main()
