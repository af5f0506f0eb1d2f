# SPDX-License-Identifier: MIT
"""The PEP 517 build backend of the vtrace package (pyproject.toml names it by backend-path).

It drives the Makefile (`make tracer`) for the interpreter it runs under and packs the result,
so `pip install .` needs make, a C compiler, the libraries' headers and the interpreter's own
headers: no setuptools, no network. The project's metadata is pyproject.toml's [project] table;
the version is the file VERSION.

Also a command for the Makefile: `python3 tools/vtrace_build.py wheel OUTDIR BUILDDIR`.
"""
import base64
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "vtrace"


def _read(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as f:
        return f.read()


def _pyproject():
    """The tables of pyproject.toml as dicts. Reads the TOML this project writes (tables,
    keys with JSON-compatible strings and arrays, arrays over several lines), not TOML at
    large: tomllib is not in Python 3.9 and 3.10."""
    tables, table, pending = {}, None, ""
    for line in _read("pyproject.toml").splitlines():
        line = pending + line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and "=" not in line:
            table = tables.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        if value.strip().startswith("[") and not value.strip().endswith("]"):
            pending = line + " "
            continue
        pending = ""
        table[key.strip()] = json.loads(re.sub(r",\s*\]$", "]", value.strip()))
    return tables


def _version():
    return _read("VERSION").strip()


def _dist_info():
    return "%s-%s.dist-info" % (PACKAGE, _version())


def _metadata():
    """METADATA (core metadata 2.1) from [project]."""
    p = _pyproject()["project"]
    lines = ["Metadata-Version: 2.1", "Name: " + p["name"], "Version: " + _version(),
             "Summary: " + p["description"], "License: " + p["license"],
             "Requires-Python: " + p["requires-python"]]
    lines += ["Classifier: " + c for c in p.get("classifiers", [])]
    lines += ["Description-Content-Type: text/markdown", "", _read(p["readme"])]
    return "\n".join(lines)


def _entry_points():
    scripts = _pyproject().get("project.scripts", {})
    return "[console_scripts]\n" + "".join("%s = %s\n" % kv for kv in sorted(scripts.items()))


def _tag():
    """The wheel tag of this interpreter: cp312-cp312-linux_x86_64 (313t when free-threaded)."""
    impl = "cp%d%d" % sys.version_info[:2]
    soabi = sysconfig.get_config_var("SOABI") or ""
    abi = "cp" + soabi.split("-")[1] if soabi.startswith("cpython-") else "none"
    plat = re.sub(r"[-.]", "_", sysconfig.get_platform())
    return "%s-%s-%s" % (impl, abi, plat)


def _wheel_file(tag):
    return ("Wheel-Version: 1.0\nGenerator: vtrace_build\nRoot-Is-Purelib: false\n"
            "Tag: %s\n" % tag)


def _dist_files(tag):
    """The dist-info files: name -> bytes (RECORD aside)."""
    d = _dist_info()
    return {d + "/METADATA": _metadata().encode(), d + "/WHEEL": _wheel_file(tag).encode(),
            d + "/entry_points.txt": _entry_points().encode(),
            d + "/LICENSE": _read("LICENSE").encode()}


def _make_package(build_dir):
    """Builds the package for this interpreter with make into build_dir; returns its folder."""
    pybuild = os.path.join(build_dir, "python")
    cmd = [os.environ.get("MAKE", "make"), "-C", ROOT, "--no-print-directory", "tracer",
           "NO_DEPS=1", "BUILD=" + build_dir, "PYBUILD=" + pybuild, "PYTHON=" + sys.executable]
    # pip shows the build's stderr when it fails (and with -v): make's output goes there.
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    return os.path.join(pybuild, PACKAGE)


def _package_files(pkg_dir):
    """The files of the built package: the sources' (tracer/vtrace), the generated version and
    the extension for this interpreter; nothing left over from other builds."""
    src = os.path.join(ROOT, "tracer", PACKAGE)
    ext = "_vtrace" + sysconfig.get_config_var("EXT_SUFFIX")
    for name in sorted(os.listdir(pkg_dir)):
        if name in ("_version.py", ext) or (name != "__pycache__" and
                                            os.path.isfile(os.path.join(src, name))):
            yield name


def _zip_time():
    """Entries' time: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    t = time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", time.time())))
    return max(t[:6], (1980, 1, 1, 0, 0, 0))


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d\n" % (name, digest, len(data))


def _write_wheel(wheel_directory, files, tag):
    """Writes files (name -> (bytes, mode)) and the dist-info into a wheel; returns its name."""
    name = "%s-%s-%s.whl" % (PACKAGE, _version(), tag)
    files = dict(files)
    files.update((k, (v, 0o644)) for k, v in _dist_files(tag).items())
    record = _dist_info() + "/RECORD"
    lines = [_record_line(k, v[0]) for k, v in files.items()] + [record + ",,\n"]
    files[record] = ("".join(lines).encode(), 0o644)
    stamp = _zip_time()
    os.makedirs(wheel_directory, exist_ok=True)
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for k, (data, mode) in files.items():
            info = zipfile.ZipInfo(k, stamp)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return name


def _build_dir(config_settings):
    """Where make builds: config setting build-dir, else build/pip/<tag> in the tree."""
    given = (config_settings or {}).get("build-dir")
    return os.path.abspath(given or os.path.join(ROOT, "build", "pip", _tag()))


# ---- PEP 517 ----

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    for name, data in _dist_files(_tag()).items():
        path = os.path.join(metadata_directory, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return _dist_info()


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    pkg_dir = _make_package(_build_dir(config_settings))
    files = {}
    for name in _package_files(pkg_dir):
        with open(os.path.join(pkg_dir, name), "rb") as f:
            files["%s/%s" % (PACKAGE, name)] = (f.read(), 0o755 if name.endswith(".so") else 0o644)
    return _write_wheel(wheel_directory, files, _tag())


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 660: the package runs from tracer/vtrace, so edits to its Python files take effect
    at once; the extension and _version.py are built and put beside them (ignored by git).
    Changes to the C sources need another `pip install -e .` (or `make tracer`)."""
    pkg_dir = _make_package(_build_dir(config_settings))
    src = os.path.join(ROOT, "tracer", PACKAGE)
    for name in _package_files(pkg_dir):
        if not os.path.isfile(os.path.join(src, name)) or name == "_version.py":
            with open(os.path.join(pkg_dir, name), "rb") as f, \
                    open(os.path.join(src, name), "wb") as out:
                out.write(f.read())
    pth = (os.path.join(ROOT, "tracer") + "\n").encode()
    return _write_wheel(wheel_directory, {"__editable__.%s.pth" % PACKAGE: (pth, 0o644)}, _tag())


def _sdist_files():
    """The files of the source tree that git does not ignore (new ones too); in a tree
    without git (an unpacked sdist): all but build output."""
    git = ["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    try:
        out = subprocess.run(git, check=True, capture_output=True).stdout.decode()
        return sorted(p for p in out.split("\0") if p and os.path.isfile(os.path.join(ROOT, p)))
    except (OSError, subprocess.CalledProcessError):
        skip = re.compile(r"(^|/)(build[^/]*|\.git|__pycache__)(/|$)|\.(o|d|so)$")
        return sorted(os.path.relpath(os.path.join(d, f), ROOT)
                      for d, _, names in os.walk(ROOT) for f in names
                      if not skip.search(os.path.relpath(os.path.join(d, f), ROOT)))


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (PACKAGE, _version())
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    os.makedirs(sdist_directory, exist_ok=True)
    with tarfile.open(os.path.join(sdist_directory, base + ".tar.gz"), "w:gz",
                      format=tarfile.PAX_FORMAT) as tar:
        def add(name, data, mode):
            info = tarfile.TarInfo("%s/%s" % (base, name))
            info.size, info.mode, info.mtime = len(data), mode, mtime
            tar.addfile(info, io.BytesIO(data))
        for path in _sdist_files():
            full = os.path.join(ROOT, path)
            with open(full, "rb") as f:
                add(path, f.read(), 0o755 if os.access(full, os.X_OK) else 0o644)
        add("PKG-INFO", _metadata().encode(), 0o644)
    return base + ".tar.gz"


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "wheel":
        sys.exit("usage: %s wheel OUTDIR BUILDDIR" % sys.argv[0])
    print(os.path.join(sys.argv[2], build_wheel(sys.argv[2], {"build-dir": sys.argv[3]})))
