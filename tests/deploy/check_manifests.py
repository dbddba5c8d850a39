"""check_manifests.py — ctest `deploy_manifests`: the deploy recipes hold together.

Kubernetes (deploy/k8s/*.yaml, deploy/k8s/dapr/*.yaml): every required field of each
object, probes on the admin endpoints, resources, a non-root read-only securityContext,
volumes that exist, and ports that agree everywhere (hwasmd's YAML in the ConfigMap or its
flags, containerPorts, probes, the Service, Dapr's app-port, the app's port as upstream).
The Dockerfile agrees with them (user, ports, cache volume, health check). Then the real
hwasmd --check loads the ConfigMap's configuration (and the Dapr files), guest paths mapped
to a temporary folder holding the example guest.
Usage: check_manifests.py SOURCE_DIR HWASMD HWASMC
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

import yaml

SRC, HWASMD, HWASMC = sys.argv[1:4]
fails = 0


def check(what, ok, detail=""):
    global fails
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + str(detail)))
    fails += 0 if ok else 1


def dig(obj, path):
    """obj's value at a dotted path, or None."""
    for key in path.split("."):
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def port_of(addr):
    return int(addr.rsplit(":", 1)[1].strip("/"))


def required(doc, name, paths):
    for p in paths:
        check(f"{name}: {p}", dig(doc, p) not in (None, "", [], {}), "missing")


def load(rel):
    with open(os.path.join(SRC, rel)) as f:
        return [d for d in yaml.safe_load_all(f) if d]


# --- Dockerfile: the facts the manifests rely on ---------------------------------------
docker = open(os.path.join(SRC, "deploy/docker/Dockerfile")).read()
stages = re.findall(r"^FROM\s+(\S+)", docker, re.M)
check("Dockerfile: multi-stage, Debian 12 build, scratch runtime", stages[:1] == ["debian:12"] and stages[-1] == "scratch", stages)
user = re.search(r"^USER\s+(\d+):(\d+)", docker, re.M)
check("Dockerfile: numeric non-root USER", user and int(user.group(1)) != 0, user)
IMAGE_UID = int(user.group(1)) if user else None
exposed = {int(p) for p in re.search(r"^EXPOSE\s+(.*)$", docker, re.M).group(1).split()}
volume = re.search(r'^VOLUME\s+\["([^"]+)"\]', docker, re.M).group(1)
entry = re.search(r"^ENTRYPOINT\s+(\[.*\])$", docker, re.M).group(1)
entry = yaml.safe_load(entry)
check("Dockerfile: hwasmd's cache is the VOLUME", entry[1:3] == ["--cache", volume], (entry, volume))
check("Dockerfile: HEALTHCHECK runs the staged health check",
      "/usr/lib/hwasmd/healthcheck" in (re.search(r"^HEALTHCHECK.*$", docker, re.M) or [""])[0])
default = yaml.safe_load(open(os.path.join(SRC, "deploy/docker/hwasmd.yaml")))
check("Dockerfile: EXPOSE = the default configuration's ports",
      exposed == {port_of(default["listen"]), port_of(default["admin"])}, (exposed, default))
hc = open(os.path.join(SRC, "deploy/docker/healthcheck")).read()
check("healthcheck: its default port is the default admin port",
      f"HWASMD_ADMIN_PORT:-{port_of(default['admin'])}" in hc)


# --- Kubernetes ------------------------------------------------------------------------
def check_hwasmd_container(name, c, pod, volumes, listen_port, admin_port):
    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
    required(c, name, ["name", "image", "resources.requests.cpu", "resources.requests.memory",
                       "resources.limits.cpu", "resources.limits.memory"])
    check(f"{name}: admin containerPort = hwasmd's admin port", ports.get("admin") == admin_port, (ports, admin_port))
    if listen_port is not None and "http" in ports:
        check(f"{name}: http containerPort = hwasmd's listen port", ports["http"] == listen_port, (ports, listen_port))
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz"), ("startupProbe", "/healthz")):
        get = dig(c, probe + ".httpGet") or {}
        check(f"{name}: {probe} GET {path} on the admin port",
              get.get("path") == path and (get.get("port") == "admin" or get.get("port") == admin_port), get)
    sc = c.get("securityContext", {})
    check(f"{name}: runAsNonRoot, the image's user", sc.get("runAsNonRoot") is True and sc.get("runAsUser") == IMAGE_UID, sc)
    check(f"{name}: readOnlyRootFilesystem", sc.get("readOnlyRootFilesystem") is True, sc)
    check(f"{name}: no privilege escalation", sc.get("allowPrivilegeEscalation") is False, sc)
    check(f"{name}: every capability dropped", dig(sc, "capabilities.drop") == ["ALL"], sc)
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
    check(f"{name}: the cache volume is mounted at the image's VOLUME", volume in mounts, list(mounts))
    for m in mounts.values():
        v = volumes.get(m["name"])
        check(f"{name}: volume {m['name']} exists", v is not None)
        if m["mountPath"] != volume:
            check(f"{name}: {m['mountPath']} is read-only", m.get("readOnly") is True)
    check(f"{name}: the pod's seccomp profile", dig(pod, "securityContext.seccompProfile.type") == "RuntimeDefault")
    return ports


def deployment(doc, where):
    name = f"{where}: Deployment {dig(doc, 'metadata.name')}"
    required(doc, name, ["apiVersion", "kind", "metadata.name", "spec.selector.matchLabels",
                         "spec.template.metadata.labels", "spec.template.spec.containers"])
    sel = dig(doc, "spec.selector.matchLabels") or {}
    labels = dig(doc, "spec.template.metadata.labels") or {}
    check(f"{name}: selector matches the pod's labels", all(labels.get(k) == v for k, v in sel.items()), (sel, labels))
    pod = doc["spec"]["template"]["spec"]
    containers = {c["name"]: c for c in pod["containers"]}
    check(f"{name}: an app container and an hwasmd container", {"app", "hwasmd"} <= set(containers), list(containers))
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    app_port = {p.get("name"): p.get("containerPort") for p in containers["app"].get("ports", [])}.get("app")
    return name, pod, containers, volumes, app_port, labels


fake = tempfile.mkdtemp(prefix="hwasm-manifests.")
guests = os.path.join(fake, "guests")
os.mkdir(guests)
subprocess.run(["clang-14", "--target=wasm32", "-nostdlib", "-O2", "-I", os.path.join(SRC, "include"),
                "-Wl,--no-entry", "-o", os.path.join(guests, "greet.wasm"),
                os.path.join(SRC, "examples/guests/c/greet.c")], check=True)


def hwasmd_check(what, args):
    r = subprocess.run([HWASMD, "--check", "--hwasmc", HWASMC, "--cache", os.path.join(fake, "cache")] + args,
                       capture_output=True, text=True)
    check(what, r.returncode == 0 and ": ok (" in r.stdout, (r.stdout + r.stderr).strip())


# The plain sidecar.
docs = load("deploy/k8s/sidecar.yaml")
by_kind = {d["kind"]: d for d in docs}
check("sidecar.yaml: ConfigMap, Deployment, Service", {"ConfigMap", "Deployment", "Service"} <= set(by_kind), list(by_kind))
cm = by_kind["ConfigMap"]
required(cm, "sidecar.yaml: ConfigMap", ["apiVersion", "metadata.name", "data"])
cfg_text = cm["data"]["hwasmd.yaml"]
cfg = yaml.safe_load(cfg_text)
name, pod, containers, volumes, app_port, labels = deployment(by_kind["Deployment"], "sidecar.yaml")
ports = check_hwasmd_container(name + " hwasmd", containers["hwasmd"], pod, volumes,
                               port_of(cfg["listen"]), port_of(cfg["admin"]))
check(f"{name}: hwasmd's upstream is the app's port on loopback",
      cfg["upstream"] == f"http://127.0.0.1:{app_port}", (cfg["upstream"], app_port))
check(f"{name}: the config volume is this ConfigMap",
      any(dig(v, "configMap.name") == cm["metadata"]["name"] for v in volumes.values()))
args = containers["hwasmd"].get("args", [])
mounted = {m["mountPath"]: m for m in containers["hwasmd"]["volumeMounts"]}
check(f"{name}: args name the mounted configuration", args and args[-1] in mounted
      and mounted[args[-1]].get("subPath") == "hwasmd.yaml", (args, list(mounted)))
for mw in cfg.get("middleware", []):
    check(f"{name}: middleware {mw['name']} lives on a mounted volume",
          any(mw["module"].startswith(p + "/") for p in mounted), mw["module"])
svc = by_kind["Service"]
required(svc, "sidecar.yaml: Service", ["apiVersion", "metadata.name", "spec.selector", "spec.ports"])
check("Service: selects the pods", all(labels.get(k) == v for k, v in svc["spec"]["selector"].items()))
for p in svc["spec"]["ports"]:
    t = p.get("targetPort")
    check(f"Service: port {p.get('port')} targets hwasmd, not the app",
          t == "http" and "http" in ports or t == port_of(cfg["listen"]), t)
cfg_file = os.path.join(fake, "hwasmd.yaml")
with open(cfg_file, "w") as f:
    f.write(cfg_text.replace("/etc/hwasmd/guests", guests))
hwasmd_check("sidecar.yaml: hwasmd --check accepts the ConfigMap's configuration", [cfg_file])

# The Dapr variant.
docs = load("deploy/k8s/dapr/dapr-sidecar.yaml")
by_kind = {d["kind"]: d for d in docs}
cm = by_kind["ConfigMap"]
name, pod, containers, volumes, app_port, labels = deployment(by_kind["Deployment"], "dapr-sidecar.yaml")
ann = dig(by_kind["Deployment"], "spec.template.metadata.annotations") or {}
check(f"{name}: dapr enabled with an app-id", ann.get("dapr.io/enabled") == "true" and ann.get("dapr.io/app-id"), ann)
args = containers["hwasmd"]["args"]
flag = {args[i]: args[i + 1] for i in range(0, len(args) - 1) if args[i].startswith("--")}
check_hwasmd_container(name + " hwasmd", containers["hwasmd"], pod, volumes, None, port_of(flag["--admin"]))
check(f"{name}: daprd's app-port is hwasmd's --listen port",
      ann.get("dapr.io/app-port") == str(port_of(flag["--listen"])), (ann.get("dapr.io/app-port"), flag["--listen"]))
check(f"{name}: hwasmd listens on loopback only (daprd is in the pod)", flag["--listen"].startswith("127.0.0.1:"))
check(f"{name}: hwasmd's upstream is the app's port",
      flag["--upstream"] == f"http://127.0.0.1:{app_port}", (flag["--upstream"], app_port))
mounted = {m["mountPath"]: m["name"] for m in containers["hwasmd"]["volumeMounts"]}
check(f"{name}: --dapr-components is this ConfigMap",
      dig(volumes.get(mounted.get(flag["--dapr-components"]), {}), "configMap.name") == cm["metadata"]["name"])
check(f"{name}: --dapr-config is a file of it",
      os.path.dirname(flag["--dapr-config"]) == flag["--dapr-components"]
      and os.path.basename(flag["--dapr-config"]) in cm["data"], flag["--dapr-config"])
dapr_dir = os.path.join(fake, "dapr")
os.mkdir(dapr_dir)
for key, text in cm["data"].items():
    with open(os.path.join(dapr_dir, key), "w") as f:
        f.write(text.replace("/etc/hwasmd/guests", guests))
hwasmd_check("dapr-sidecar.yaml: hwasmd --check accepts the Dapr files",
             ["--dapr-components", dapr_dir, "--dapr-config", os.path.join(dapr_dir, os.path.basename(flag["--dapr-config"])),
              "--upstream", flag["--upstream"]])

subprocess.run(["rm", "-rf", fake])
print("all passed" if fails == 0 else f"{fails} failed")
sys.exit(1 if fails else 0)
