#!/usr/bin/python3
# e2e.py: the real app under Xvfb, driven through AT-SPI as a person would.
#
# Run inside dbus-run-session (see tests/meson.build). It adds a workspace
# through the app's own folder chooser, then runs
# `paddockctl run -- git push origin main` against a user-layer rule that
# prompts: the app's dialog must name the layer and the rule, Allow Once
# must let the push happen, and Deny must stop the next one. Screenshots
# go to $PADDOCK_TEST_OUTPUT.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pyatspi

BUILD = os.environ["PADDOCK_BUILD_ROOT"]
TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OIDC_MODULES = os.environ.get("PADDOCK_OIDC_MODULES", "")
OUTPUT = os.environ.get("PADDOCK_TEST_OUTPUT", tempfile.mkdtemp())
PADDOCK = os.path.join(BUILD, "app", "ui", "paddock")
PADDOCKCTL = os.path.join(BUILD, "app", "cli", "paddockctl")
RULE_REASON = "pushing publishes the work of everyone here"

processes = []
failures = 0
count = 0


def tap(ok, name, why=""):
    global failures, count
    count += 1
    if not ok:
        failures += 1
    print(f"{'ok' if ok else 'not ok'} {count} {name}{' # ' + why if why and not ok else ''}", flush=True)
    return ok


def start(argv, **kwargs):
    p = subprocess.Popen(argv, **kwargs)
    processes.append(p)
    return p


def walk(acc, depth=0):
    yield acc
    if depth > 60:
        return
    for i in range(acc.childCount):
        child = acc.getChildAtIndex(i)
        if child is not None:
            yield from walk(child, depth + 1)


def plain(name):
    # GTK 4.8 names a button after its label twice, mnemonic included
    # ("_Add Add"): compare without the underscores.
    return (name or "").replace("_", "")


def wait_for(what, find, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            found = find()
        except Exception:  # the tree changes under us: try again
            found = None
        if found:
            return found
        time.sleep(0.2)
    raise TimeoutError(f"no {what} after {timeout} s")


def application():
    def find():
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == "paddock":
                return app
    # A loaded machine (the other suites run beside this one) is slow to start it.
    return wait_for("paddock on the accessibility bus", find, timeout=60)


def button(root, label):
    for acc in walk(root):
        if acc.getRoleName() == "push button" and (acc.name == label or plain(acc.name).endswith(" " + label)):
            return acc
    return None


def press(acc, closes=False):
    acc.queryAction().doAction(0)
    # GTK 4.8 crashes answering AT-SPI about widgets that are being
    # destroyed (a NULL object path): let a closing window go first.
    if closes:
        time.sleep(1.5)


def text_of(acc):
    try:
        text = acc.queryText()
        return text.getText(0, text.characterCount)
    except NotImplementedError:
        return None


def texts(root):
    # What the labels say, not their accessible names (which GTK 4.8
    # builds from the label and what labels it); a label that is an
    # alert too.
    return [text_of(acc) for acc in walk(root) if acc.getRoleName() in ("label", "alert", "status bar")]


def dialog(app, heading):
    for acc in walk(app):
        if acc.getRoleName() in ("dialog", "alert", "frame") and heading in texts(acc):
            return acc
    return None


def click(acc):
    # GTK 4.8 implements neither GrabFocus nor SetTextContents: click
    # where the widget is, as a person would.
    x, y, w, h = acc.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    pyatspi.Registry.generateMouseEvent(x + w // 2, y + h // 2, pyatspi.MOUSE_B1C)
    time.sleep(0.3)


def screenshot(name):
    subprocess.run(["import", "-window", "root", os.path.join(OUTPUT, name)], check=False)


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def remote_head(remote):
    r = subprocess.run(["git", "rev-parse", "refs/heads/main"], cwd=remote, capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def local_head(project):
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True,
                          check=True).stdout.strip()


def start_keyring():
    # A real Secret Service on this session bus, for the Accounts page.
    kr = subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets"], input=b"pw",
                        capture_output=True, check=True)
    for line in kr.stdout.decode().splitlines():
        name, _, value = line.partition("=")
        if name:
            os.environ[name] = value


def start_provider():
    # A real OpenID provider on loopback; its issuer URL is its first line.
    env = dict(os.environ, OIDC_MOCK_MODULE=os.path.join(OIDC_MODULES, "oauth2-mock-server", "dist", "index.mjs"))
    p = start(["node", os.path.join(TESTS, "oidc", "provider.mjs")], stdout=subprocess.PIPE, env=env, text=True)
    return json.loads(p.stdout.readline())["issuer"]


def install_browser(home):
    # The "browser" the desktop opens for http: follows the provider back
    # to Paddock's loopback listener, as a person's browser would.
    apps = os.path.join(home, ".local", "share", "applications")
    os.makedirs(apps, exist_ok=True)
    with open(os.path.join(apps, "paddock-test-browser.desktop"), "w") as f:
        f.write("[Desktop Entry]\nType=Application\nName=Test Browser\n"
                "Exec=curl -sSL -o /dev/null %u\nMimeType=x-scheme-handler/http;\n")
    with open(os.path.join(home, ".config", "mimeapps.list"), "w") as f:
        f.write("[Default Applications]\nx-scheme-handler/http=paddock-test-browser.desktop\n")


def accounts(app, home):
    # Preferences (Ctrl+comma) → Accounts: the organisation's rule with its
    # layer and file, sign in through the browser, then sign out; the CLI
    # sees what the app keeps, since both use the core's accounts.
    pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_PRESS)     # Control_L
    pyatspi.Registry.generateKeyboardEvent(0x2c, None, pyatspi.KEY_SYM)     # comma
    pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_RELEASE)
    wait_for("the Accounts page", lambda: "Nobody is signed in" in texts(app))
    shown = texts(app)
    forced = next((t for t in shown if t and t.startswith("Your organisation decides who signs in here.")), "")
    tap("Organisation: acme, as the managed layer, " in forced and "requirements.json:1:" in forced,
        "the Accounts page shows the forced organisation with its layer and file", repr(forced))
    unnamed = [f"{acc.getRoleName()} {acc.name!r}" for acc in walk(app)
               if acc.getRoleName() in ("push button", "text", "entry")
               and acc.getState().contains(pyatspi.STATE_SHOWING) and not plain(acc.name).strip()]
    tap(not unnamed, "every control on the Accounts page has an accessible name", "; ".join(unnamed))
    screenshot("accounts-signed-out.png")

    press(button(app, "Sign In…"))
    wait_for("the signed-in account", lambda: "Signed in as johndoe." in texts(app), timeout=30)
    shown = texts(app)
    tap("johndoe" in shown, "the Accounts page lists the signed-in identity", repr(shown))
    tap(any(t and "organisation acme" in t for t in shown) and any(t and "renewed before then" in t for t in shown),
        "the row gives the provider, the organisation and the expiry", repr(shown))
    time.sleep(0.5)
    screenshot("accounts-signed-in.png")
    listed = subprocess.run([PADDOCKCTL, "accounts", "--json"], capture_output=True, text=True)
    names = [a["name"] for a in json.loads(listed.stdout)["accounts"]] if listed.returncode == 0 else []
    tap(names == ["johndoe"], "paddockctl accounts lists the login the app made", listed.stdout + listed.stderr)

    sign_out = next((a for a in walk(app) if a.getRoleName() == "push button"
                     and (a.name or "").startswith("Sign out johndoe from http://localhost:")), None)
    tap(sign_out is not None, "the Sign Out button says whom it signs out, for a screen reader")
    press(sign_out)
    wait_for("the signed-out page", lambda: "Signed out." in texts(app) and "Nobody is signed in" in texts(app))
    listed = subprocess.run([PADDOCKCTL, "accounts", "--json"], capture_output=True, text=True)
    tap(listed.returncode == 0 and json.loads(listed.stdout)["accounts"] == [],
        "signed out in the app: the keychain holds no login", listed.stdout + listed.stderr)


def agent_session(app, home, project):
    # An agent started from the app, in its terminal: its read of ~/.ssh,
    # its write outside the workspace and its unlisted host are stopped
    # (the host asks in the dialog: Deny) and on record, its file in the
    # workspace is kept, the diff at the end shows what it changed with
    # the hazard flagged, and its session shows in the activity list.
    secret = "E2E-SSH-SECRET-41c2"
    os.makedirs(os.path.join(home, ".ssh"), exist_ok=True)
    with open(os.path.join(home, ".ssh", "id_e2e"), "w") as f:
        f.write(secret + "\n")
    # Not under /tmp or /var/tmp, the sandbox's own: a folder it sees, read-only.
    outside = tempfile.mkdtemp(dir=pwd.getpwuid(os.getuid()).pw_dir, prefix="paddock-e2e-outside-")
    with open(os.path.join(project, "agent.sh"), "w") as f:
        f.write("{\n"
                f"  cat \"$HOME/.ssh/id_e2e\" 2>/dev/null || echo read-refused\n"
                f"  (echo escaped > {outside}/outside.txt) 2>/dev/null || echo write-refused\n"
                "  python3 -c 'import urllib.request\n"
                "try:\n urllib.request.urlopen(\"http://unlisted-e2e.example.test/\", timeout=60); print(\"reached\")\n"
                "except Exception as e: print(\"network-refused\", e)'\n"
                "  echo made > agent-made.txt\n"
                "  printf 'all:\\n\\techo from the agent\\n' > Makefile\n"
                "} > agent-output.txt 2>&1\n")
    press(next(a for a in walk(app) if a.getRoleName() == "page tab" and a.name == "Agent"))
    entry = wait_for("the agent command entry", lambda: next((a for a in walk(app) if a.getRoleName() == "text"
                                                              and (a.name or "") == "Agent command"), None))
    click(entry)
    # The preset filled in its own command: select it all, then type over it.
    pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_PRESS)     # Control_L
    pyatspi.Registry.generateKeyboardEvent(0x61, None, pyatspi.KEY_SYM)     # a
    pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_RELEASE)
    pyatspi.Registry.generateKeyboardEvent(0, "sh ./agent.sh", pyatspi.KEY_STRING)
    time.sleep(0.5)
    press(button(app, "Start Agent"))
    asked = wait_for("the dialog for the agent's host", lambda: dialog(app, "Connect to This Host?"), timeout=60)
    shown = texts(asked)
    tap(any(t and "Codex CLI (through paddockctl agent)" in t for t in shown),
        "the agent's host asks in the dialog, naming the agent", repr(shown))
    screenshot("agent-asks.png")
    press(button(asked, "Deny"), closes=True)
    wait_for("the agent's end", lambda: any(t and t.startswith("The agent ended (exit status 0)") for t in texts(app)),
             timeout=60)
    screenshot("agent.png")
    with open(os.path.join(project, "agent-output.txt")) as f:
        output = f.read()
    tap("read-refused" in output and secret not in output, "the agent could not read ~/.ssh", output)
    tap("write-refused" in output and not os.path.exists(os.path.join(outside, "outside.txt")),
        "the agent could not write outside the workspace", output)
    tap("network-refused" in output and "reached" not in output, "the agent could not reach the unlisted host",
        output)
    tap(os.path.exists(os.path.join(project, "agent-made.txt")), "control: the agent's file in the workspace is there")
    shutil.rmtree(outside)
    view = next((a for a in walk(app) if a.getRoleName() == "text" and a.name == "What the agent changed"), None)
    diff = text_of(view) if view else ""
    tap("--- /dev/null\n+++ b/agent-made.txt\n@@ -0,0 +1,1 @@\n+made\n" in diff,
        "the diff at the end shows the agent's new file", diff)
    tap("# Hazard: created Makefile (make runs it)\n--- /dev/null\n+++ b/Makefile\n" in diff
        and diff.count("# Hazard") == 1, "the diff flags the hazard, before its file and only there", diff)
    tap(any(t and t.startswith("The agent changed 3 files in the workspace, and 1 of them runs on the host later; check the marked file")
            for t in texts(app)), "the heading says how many files changed and that one runs on the host",
        repr(texts(app)))
    screenshot("agent-diff.png")
    press(next(a for a in walk(app) if a.getRoleName() == "page tab" and a.name == "Activity"))
    row = wait_for("the agent's end in the activity list",
                   lambda: next((a for a in walk(app) if a.name and "agent ended: exit 0, 3 files changed" in a.name),
                                None))
    tap(row is not None, "the activity list shows the agent's session and what it changed")
    denial = next((a for a in walk(app) if a.name and "unlisted-e2e.example.test" in a.name), None)
    tap(denial is not None, "the activity list shows the host it was refused",
        repr([a.name for a in walk(app) if a.name][:40]))
    names = [a.name for a in walk(app) if a.name]
    tap(any("id_e2e" in n and "read refused: hidden by the sandbox" in n for n in names),
        "the activity list shows the read of ~/.ssh it was refused", repr(names[:60]))
    tap(any("outside.txt" in n and "write refused: read-only in the sandbox" in n for n in names),
        "the activity list shows the write outside it was refused", repr(names[:60]))
    tap(not any("agent-made.txt" in n and "refused" in n for n in names),
        "control: the agent's own file is not among the refusals", repr(names[:60]))


def main():
    os.makedirs(OUTPUT, exist_ok=True)
    root = tempfile.mkdtemp(prefix="paddock-e2e-")
    home = os.path.join(root, "home")
    project = os.path.join(root, "project")
    for d in (home, project, os.path.join(root, "run"), os.path.join(root, "etc")):
        os.makedirs(d, mode=0o700)
    env = os.environ.copy()
    env.update({
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "XDG_STATE_HOME": os.path.join(home, ".local", "state"),
        "XDG_RUNTIME_DIR": os.path.join(root, "run"),
        "PADDOCK_SYSCONFDIR": os.path.join(root, "etc"),
        "GSETTINGS_BACKEND": "memory",
        "GSETTINGS_SCHEMA_DIR": os.path.join(BUILD, "data"),
        "GTK_A11Y": "atspi",
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
    })
    env.pop("NO_AT_BRIDGE", None)
    os.environ.update(env)

    # The organisation's forced login, and what signing in needs.
    start_keyring()
    issuer = start_provider() if OIDC_MODULES else None
    os.makedirs(os.path.join(home, ".config"), exist_ok=True)
    install_browser(home)
    if issuer:
        with open(os.path.join(root, "etc", "requirements.json"), "w") as f:
            f.write(json.dumps({"identity": {"issuer": issuer, "client_id": "paddock-test",
                                             "organization": "acme"}}))

    # The rule that makes git push ask, in the user layer.
    os.makedirs(os.path.join(home, ".config", "paddock"), exist_ok=True)
    with open(os.path.join(home, ".config", "paddock", "policy.json"), "w") as f:
        f.write('{"commands": [{"match": ["git", "push"], "decision": "prompt",\n'
                f'                "reason": "{RULE_REASON}"}}]}}\n')

    # A project that pushes to a bare repository inside it.
    remote = os.path.join(project, "remote.git")
    git("init", "-q", "-b", "main", cwd=project)
    git("init", "-q", "--bare", "-b", "main", remote, cwd=project)
    git("remote", "add", "origin", remote, cwd=project)
    with open(os.path.join(project, "README"), "w") as f:
        f.write("one\n")
    git("add", "README", cwd=project)
    git("commit", "-q", "-m", "one", cwd=project)

    # A desktop: an X server, the accessibility bus, the app.
    desktop_log = open(os.path.join(OUTPUT, "desktop.log"), "w")
    display = next(n for n in range(90, 200)
                   if not os.path.exists(f"/tmp/.X{n}-lock") and not os.path.exists(f"/tmp/.X11-unix/X{n}"))
    # -noreset: the readiness probe below connects and leaves, and an X
    # server whose last client leaves resets, dropping whoever connects
    # meanwhile (the accessibility bus, the app).
    xvfb = start(["Xvfb", f":{display}", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"],
                 stdout=desktop_log, stderr=subprocess.STDOUT)

    def x_ready():
        # Ours, and answering: a socket left by a server that died is not.
        with open(f"/tmp/.X{display}-lock") as lock:
            if int(lock.read().strip()) != xvfb.pid:
                raise RuntimeError(f"display :{display} was taken by another X server")
        with socket.socket(socket.AF_UNIX) as probe:
            probe.connect(f"/tmp/.X11-unix/X{display}")
        return True
    wait_for("the X server", x_ready)
    os.environ["DISPLAY"] = f":{display}"
    start(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"], stdout=desktop_log, stderr=subprocess.STDOUT)
    time.sleep(0.5)
    app_log = open(os.path.join(OUTPUT, "paddock.log"), "w")
    # PADDOCK_E2E_WRAP="gdb -batch -ex run -ex bt --args" shows where a crash was.
    start(os.environ.get("PADDOCK_E2E_WRAP", "").split() + [PADDOCK], stdout=app_log, stderr=subprocess.STDOUT)
    app = application()
    window = wait_for("the main window", lambda: button(app, "Add Workspace"))

    # A workspace, added through the app's folder chooser: type the path
    # as a person would, then Add.
    press(button(app, "Add Workspace"))
    wait_for("the folder chooser", lambda: button(app, "Add"))
    time.sleep(0.5)
    pyatspi.Registry.generateKeyboardEvent(0, project, pyatspi.KEY_STRING)
    # GTK 4.8 does not tell AT-SPI what the location entry holds: give
    # the keystrokes time to land. What was added is checked below.
    time.sleep(1.5)
    screenshot("folder-chooser.png")
    press(button(app, "Add"), closes=True)
    wait_for("the workspace in the sidebar", lambda: os.path.basename(project) in texts(app))
    records = glob.glob(os.path.join(home, ".config", "paddock", "workspaces", "*", "workspace.json"))
    tap(len(records) == 1 and json.load(open(records[0]))["path"] == project,
        "a workspace added through the folder chooser is listed and kept", repr(records))
    screenshot("main-window.png")

    # Every control a person can reach has a name a screen reader can say.
    unnamed = []
    for page in ("Activity", "Run", "Agent", "Settings", "Policy"):
        press(next(a for a in walk(app) if a.getRoleName() == "page tab" and a.name == page))
        time.sleep(0.5)
        for acc in walk(app):
            role = acc.getRoleName()
            if role in ("push button", "toggle button", "text", "combo box", "check box", "entry", "list box"):
                states = acc.getState()
                if not states.contains(pyatspi.STATE_SHOWING):
                    continue
                name = plain(acc.name).strip()
                if not name or name.startswith(("Gtk", "Adw")):
                    unnamed.append(f"{page}: {role} {acc.name!r}")
    tap(not unnamed, "every control shown on every page has an accessible name", "; ".join(sorted(set(unnamed))))
    press(next(a for a in walk(app) if a.getRoleName() == "page tab" and a.name == "Activity"))

    # The broker is out of reach from inside the sandbox: the same
    # dbus-send that reaches the bus outside fails inside, even when it is
    # handed the bus's address.
    address = os.environ["DBUS_SESSION_BUS_ADDRESS"]
    probe = ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
             "org.freedesktop.DBus.ListNames"]
    outside = subprocess.run(probe, capture_output=True, text=True)
    tap(outside.returncode == 0 and "org.paddock.Paddock" in outside.stdout,
        "control: outside the sandbox the bus answers and lists the app", outside.stderr)
    inside = subprocess.run([PADDOCKCTL, "run", "--workspace", project, "--network", "off", "--",
                             "env", f"DBUS_SESSION_BUS_ADDRESS={address}", *probe],
                            cwd=project, capture_output=True, text=True)
    tap(inside.returncode != 0 and "org.paddock.Paddock" not in inside.stdout,
        "inside the sandbox the session bus cannot be reached", f"{inside.returncode}: {inside.stdout} {inside.stderr}")

    # First run: the dialog names the layer and the rule; Allow Once.
    before = local_head(project)
    run = subprocess.Popen([PADDOCKCTL, "run", "--workspace", project, "--", "git", "push", "origin", "main"],
                           cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    asked = wait_for("the approval dialog", lambda: dialog(app, "Run This Command?"))
    shown = texts(asked)
    tap(any("git push origin main" == t for t in shown), "the dialog shows the command", repr(shown))
    tap(any(t and t.startswith(f"paddockctl run (process {run.pid}, paddockctl") for t in shown),
        "the dialog says who asks: the name it gave and the process the bus vouches for", repr(shown))
    tap(any(t.startswith("the user layer, ") and t.endswith("policy.json:1:15") for t in shown),
        "the dialog names the deciding layer and its source", repr(shown))
    tap(any('"match": ["git", "push"]' in t for t in shown), "the dialog shows the rule", repr(shown))
    tap(RULE_REASON in shown, "the dialog shows the rule's reason", repr(shown))
    tap(button(asked, "Deny") is not None and button(asked, "Allow for This Session") is not None,
        "the dialog offers Deny and Allow for This Session")
    time.sleep(1)  # drawn, not only mapped
    screenshot("approval-dialog.png")
    press(button(asked, "Allow Once"), closes=True)
    out, err = run.communicate(timeout=60)
    tap(run.returncode == 0, "allowed once: paddockctl run ends with the command's status", f"{run.returncode}: {err}")
    tap(remote_head(remote) == before, "allowed once: the push happened", f"{remote_head(remote)} != {before}")

    row = wait_for("the approval in the activity list",
                   lambda: next((a for a in walk(app) if a.name and a.name.startswith("Approved: git push origin main")), None))
    tap("allowed once by" in row.name and "the user layer" in row.name,
        "the activity list shows the approval and who decided it", row.name)
    chips = [t for t in texts(app) if t == "decided by user"]
    tap(len(chips) >= 1, "the activity row carries the “decided by user” chip", repr(texts(app)))
    screenshot("activity.png")

    # The policy inspector: the user layer's card holds the rule, and
    # trying the command shows the same decision, layer by layer.
    tab = wait_for("the Policy page", lambda: next((a for a in walk(app)
                                                    if a.getRoleName() == "page tab" and a.name == "Policy"), None))
    press(tab)
    entry = wait_for("the Try an Action entry", lambda: next((a for a in walk(app) if a.getRoleName() == "text"
                                                              and "Action, e.g." in (a.name or "")), None))
    click(entry)
    pyatspi.Registry.generateKeyboardEvent(0, "git push origin main", pyatspi.KEY_STRING)
    time.sleep(0.3)
    pyatspi.Registry.generateKeyboardEvent(0xff0d, None, pyatspi.KEY_SYM)  # Return
    shown = wait_for("the decision in the inspector", lambda: "Asks a person" in texts(app) and texts(app))
    tap(any(t and t.startswith("Decided by the user layer, ") and t.endswith("policy.json:1:15") for t in shown),
        "the inspector names the deciding layer and source", repr(shown))
    tap(RULE_REASON in " ".join(t for t in shown if t), "the inspector shows the rule's reason")
    time.sleep(0.5)
    screenshot("inspector.png")
    press(next(a for a in walk(app) if a.getRoleName() == "page tab" and a.name == "Settings"))
    time.sleep(0.5)
    screenshot("settings.png")
    press(next(a for a in walk(app) if a.getRoleName() == "page tab" and a.name == "Activity"))

    # Second run: Deny; the command must not run.
    with open(os.path.join(project, "README"), "a") as f:
        f.write("two\n")
    git("commit", "-q", "-am", "two", cwd=project)
    run = subprocess.Popen([PADDOCKCTL, "run", "--workspace", project, "--", "git", "push", "origin", "main"],
                           cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    asked = wait_for("the second approval dialog", lambda: dialog(app, "Run This Command?"))
    press(button(asked, "Deny"), closes=True)
    out, err = run.communicate(timeout=60)
    tap(run.returncode == 126, "denied: paddockctl run exits 126", f"{run.returncode}: {err}")
    tap("not run: denied" in err, "denied: paddockctl says so", err)
    tap(remote_head(remote) == before and local_head(project) != before,
        "denied: the push did not happen (the first one did)")
    row = wait_for("the denial in the activity list",
                   lambda: next((a for a in walk(app) if a.name and a.name.startswith("Denied: git push origin main")), None))
    tap("denied by" in row.name and "the user layer" in row.name, "the activity list shows the denial", row.name)

    # An MCP client's call: it asks in the same dialog, naming the client,
    # and the call shows in the activity list.
    mcp = start([PADDOCKCTL, "mcp", "--workspace", project], cwd=project, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, text=True)

    def rpc(message):
        mcp.stdin.write(json.dumps(message) + "\n")
        mcp.stdin.flush()

    rpc({"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": {"name": "paddock-e2e-client", "version": "1.0"}}})
    tap("result" in json.loads(mcp.stdout.readline()), "an MCP client initializes a session with paddockctl mcp")
    rpc({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "exec", "arguments": {"command": ["git", "push", "origin", "main"]}}})
    asked = wait_for("the approval dialog for the MCP call", lambda: dialog(app, "Run This Command?"))
    shown = texts(asked)
    tap(any(t and "paddock-e2e-client 1.0 (through paddockctl mcp)" in t for t in shown),
        "the dialog names the MCP client that asks", repr(shown))
    press(button(asked, "Allow Once"), closes=True)
    answer = json.loads(mcp.stdout.readline())
    tap(answer.get("id") == 2 and not answer["result"]["isError"], "allowed in the app: the MCP call ran",
        repr(answer))
    tap(remote_head(remote) == local_head(project), "allowed in the app: the agent's push happened")
    wait_for("the MCP call in the activity list",
             lambda: next((a for a in walk(app) if a.name and "paddock-e2e-client called exec" in a.name), None))
    tap(True, "the activity list shows the MCP client's call")
    mcp.stdin.close()
    mcp.wait(timeout=30)

    agent_session(app, home, project)

    if tap(issuer is not None, "the OpenID provider for the Accounts page runs", "PADDOCK_OIDC_MODULES is not set"):
        accounts(app, home)


if __name__ == "__main__":
    print("TAP version 13", flush=True)
    try:
        main()
    except Exception as e:  # a step that never happened is a failure
        tap(False, "the scenario ran to the end", f"{type(e).__name__}: {e}")
        screenshot("failure.png")
    finally:
        for p in reversed(processes):
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
    print(f"1..{count}", flush=True)
    sys.exit(1 if failures else 0)
