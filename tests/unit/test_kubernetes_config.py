"""The pure parts of the local Kubernetes (services.kubernetes, containerd, host_state): the kubelet's
and containerd's configs keep everything on 127.0.0.1 and under the run folder, the commands bind
loopback only, the pause image archive is a valid OCI layout whose digests match its content."""

import hashlib
import io
import json
import os
import re
import tarfile
import tomllib
from pathlib import Path

import pytest

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.services import containerd, host_state, kubernetes

FOLDER = Path("/run-folder")
SOCKET = FOLDER / "containerd.sock"
PORTS = dict(zip(("etcd", "etcd-peer", "etcd-metrics", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
                  "kubelet", "kubelet-healthz"), range(40001, 40009)))
BINARIES = {name: Path("/bin-folder") / name for name in (*kubernetes.COMMANDS, "pause")}


def _kubelet_config() -> dict:
    return kubernetes.kubelet_config(FOLDER / "kubelet", SOCKET, 40007, 40008, FOLDER / "resolv.conf")


def test_kubelet_config_binds_loopback_and_keeps_its_files_in_the_folder():
    config = json.loads(json.dumps(_kubelet_config()))  # it is written as JSON
    assert config["kind"] == "KubeletConfiguration" and config["apiVersion"] == "kubelet.config.k8s.io/v1beta1"
    assert config["address"] == config["healthzBindAddress"] == "127.0.0.1"
    assert (config["port"], config["healthzPort"], config["readOnlyPort"]) == (40007, 40008, 0)
    assert config["cgroupDriver"] == "cgroupfs" and config["failCgroupV1"] is False and config["failSwapOn"] is False
    assert config["containerRuntimeEndpoint"] == f"unix://{SOCKET}"
    assert (config["imageGCHighThresholdPercent"], config["imageGCLowThresholdPercent"]) == (100, 99)
    assert config["clusterDNS"] == [] and config["makeIPTablesUtilChains"] is False
    assert config["protectKernelDefaults"] is False
    for key in ("podLogsDir", "volumePluginDir", "resolvConf"):
        assert Path(config[key]).is_relative_to(FOLDER), key


def test_containerd_config_keeps_everything_under_its_folder():
    folder = FOLDER / "containerd"
    config = tomllib.loads(containerd.render_config(folder, SOCKET))
    assert config["version"] == 2 and config["grpc"]["address"] == str(SOCKET)
    assert Path(config["root"]).is_relative_to(folder) and Path(config["state"]).is_relative_to(folder)
    assert config["debug"]["address"] == "" and config["metrics"]["address"] == ""
    cri = config["plugins"]["io.containerd.grpc.v1.cri"]
    assert cri["sandbox_image"] == containerd.PAUSE_IMAGE == "localhost/pause:3.10.1-local"
    assert cri["restrict_oom_score_adj"] is True and cri["netns_mounts_under_state_dir"] is True
    assert cri["stream_server_address"] == "127.0.0.1"
    runc = cri["containerd"]["runtimes"]["runc"]
    assert runc["runtime_type"] == "io.containerd.runc.v2"
    assert runc["options"]["BinaryName"] == "/usr/sbin/runc" and runc["options"]["SystemdCgroup"] is False
    assert Path(runc["options"]["Root"]).is_relative_to(folder)
    assert cri["cni"]["bin_dir"] == "/usr/lib/cni" and Path(cri["cni"]["conf_dir"]).is_relative_to(folder)
    assert Path(config["plugins"]["io.containerd.internal.v1.opt"]["path"]).is_relative_to(folder)


def test_the_only_network_is_loopback(tmp_path):
    containerd.write_config(tmp_path, tmp_path / "containerd.sock")
    (conflist,) = (tmp_path / "cni").iterdir()
    document = json.loads(conflist.read_text())
    assert [plugin["type"] for plugin in document["plugins"]] == ["loopback"]
    assert tomllib.loads((tmp_path / "config.toml").read_text())["grpc"]["address"] == str(tmp_path / "containerd.sock")


def test_commands_bind_loopback_and_name_no_path_outside_the_folder():
    commands = kubernetes._commands(FOLDER, BINARIES, PORTS)
    assert set(commands) == {"etcd", "containerd", *kubernetes.COMMANDS}
    for name, command in commands.items():
        text = " ".join(command[1:])
        assert not re.findall(r"\b(?!127\.0\.0\.1\b)\d+\.\d+\.\d+\.\d+\b(?!/)", text), name  # only the service range
        for path in re.findall(r"(?<![\w:/])/[\w./-]+", text):
            assert Path(path).is_relative_to(FOLDER), (name, path)
    flags = {name: dict(arg[2:].split("=", 1) for arg in command if arg.startswith("--") and "=" in arg)
             for name, command in commands.items()}
    assert flags["kube-apiserver"]["bind-address"] == flags["kube-apiserver"]["advertise-address"] == "127.0.0.1"
    assert flags["kube-apiserver"]["secure-port"] == "40004"
    assert flags["kube-apiserver"]["etcd-servers"] == "http://127.0.0.1:40001"
    assert flags["kube-apiserver"]["authorization-mode"] == "AlwaysAllow"
    assert flags["kube-apiserver"]["endpoint-reconciler-type"] == "none"
    assert flags["kube-controller-manager"]["leader-elect"] == flags["kube-scheduler"]["leader-elect"] == "false"
    assert flags["kubelet"]["hostname-override"] == "127.0.0.1"
    assert flags["etcd"]["listen-metrics-urls"] == "http://127.0.0.1:40003"


def test_kubeconfig_holds_the_server_ca_and_token():
    config = kubernetes.kubeconfig("https://127.0.0.1:40004", FOLDER / "pki" / "ca.crt", "secret")
    (cluster,), (user,) = config["clusters"], config["users"]
    assert cluster["cluster"] == {"server": "https://127.0.0.1:40004", "certificate-authority": "/run-folder/pki/ca.crt"}
    assert user["user"] == {"token": "secret"} and config["current-context"] == config["contexts"][0]["name"]


def _members(archive: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {member.name: tar.extractfile(member).read() for member in tar.getmembers() if member.isfile()}


def _blob(members: dict[str, bytes], descriptor: dict) -> bytes:
    algorithm, digest = descriptor["digest"].split(":")
    content = members[f"blobs/{algorithm}/{digest}"]
    assert algorithm == "sha256" and hashlib.sha256(content).hexdigest() == digest
    assert len(content) == descriptor["size"]
    return content


def test_pause_archive_is_an_oci_layout_whose_digests_match(tmp_path):
    pause = tmp_path / "pause"
    pause.write_bytes(b"\x7fELF not really a static binary")
    archive = containerd.pause_archive(pause)
    assert archive == containerd.pause_archive(pause)  # reproducible
    members = _members(archive)
    assert json.loads(members["oci-layout"]) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads(members["index.json"])
    (entry,) = index["manifests"]
    assert entry["annotations"]["io.containerd.image.name"] == "localhost/pause:3.10.1-local"
    assert entry["platform"] == {"architecture": containerd.goarch(), "os": "linux"}
    manifest = json.loads(_blob(members, entry))
    assert manifest["mediaType"] == entry["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    config = json.loads(_blob(members, manifest["config"]))
    assert config["config"]["Entrypoint"] == ["/pause"] and config["os"] == "linux"
    (layer_descriptor,) = manifest["layers"]
    layer = _blob(members, layer_descriptor)
    assert config["rootfs"] == {"type": "layers", "diff_ids": [layer_descriptor["digest"]]}  # uncompressed
    with tarfile.open(fileobj=io.BytesIO(layer)) as tar:
        (member,) = tar.getmembers()
        assert (member.name, member.mode, member.uid) == ("pause", 0o755, 0)
        assert tar.extractfile(member).read() == pause.read_bytes()
    assert set(members) == {"oci-layout", "index.json"} | {f"blobs/sha256/{d['digest'][7:]}" for d in
                                                          (entry, manifest["config"], layer_descriptor)}


def test_shim_socket_is_containerds_hash_of_socket_namespace_and_id():
    expected = hashlib.sha256(b"/f/containerd.sock/k8s.io/abc").hexdigest()
    assert containerd.shim_socket(Path("/f/containerd.sock"), "k8s.io", "abc") == Path("/run/containerd/s") / expected


def test_binaries_come_from_the_folder_plain_or_xz(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "unpacked", lambda archive: tmp_path / "unpacked" / archive.name[:-3])
    for name in ("kube-apiserver", "kube-scheduler", "kubelet", "pause"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
    (tmp_path / "kube-controller-manager.xz").write_bytes(b"xz")
    monkeypatch.setenv(kubernetes.BIN_VARIABLE, str(tmp_path))
    found = kubernetes.binaries()
    assert found["kubelet"] == tmp_path / "kubelet"
    assert found["kube-controller-manager"] == tmp_path / "unpacked" / "kube-controller-manager"


def test_missing_binaries_name_the_knob_and_the_make_target(tmp_path, monkeypatch):
    monkeypatch.setenv(kubernetes.BIN_VARIABLE, str(tmp_path))
    with pytest.raises(UsageError) as raised:
        kubernetes.binaries()
    message = str(raised.value)
    assert "\n" not in message and kubernetes.BIN_VARIABLE in message and "make kubernetes" in message
    assert "kubelet" in message and "pause" in message


def test_new_entries_are_what_appeared_since_the_note(tmp_path):
    logs, absent = tmp_path / "logs", tmp_path / "absent"
    logs.mkdir()
    (logs / "old.log").write_text("")
    state = {"folders": {str(logs): ["old.log"], str(absent): None}}
    (logs / "new.log").symlink_to(tmp_path / "nowhere")
    absent.mkdir()
    (absent / "file").write_text("")
    assert sorted(host_state.new_entries(state)) == [absent, logs / "new.log"]
    host_state.remove_new_entries(state)
    assert sorted(os.listdir(logs)) == ["old.log"] and not absent.exists()


def test_kernel_changes_compare_with_the_noted_values():
    key = "kernel/panic"
    now = Path("/proc/sys", key).read_text().strip()
    assert host_state.kernel_changes({"kernel": {key: now}}) == {}
    assert host_state.kernel_changes({"kernel": {key: now + "0"}}) == {key: (now + "0", now)}


def test_mountinfo_escapes_are_decoded():
    assert host_state._unescape(r"/tmp/a\040b\011c") == "/tmp/a b\tc"
    assert host_state._unescape("/tmp/é") == "/tmp/é"
