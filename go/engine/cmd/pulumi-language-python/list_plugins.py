"""Print, as JSON, the Pulumi resource plugins that the installed Python distributions declare.

Run by pulumi-language-python (embedded at build time) to answer GetRequiredPlugins/Packages:
one entry per pulumi-plugin.json with "resource": true.
"""
import importlib.metadata as md
import json

out = []
for dist in md.distributions():
    for f in (dist.files or []):
        if f.name in ("pulumi-plugin.json", "pulumiplugin.json"):
            try:
                data = json.loads(f.read_text())
            except Exception:
                continue
            if not data.get("resource", False):
                continue
            name = data.get("name") or dist.metadata["Name"].replace("pulumi_", "pulumi-").split("pulumi-", 1)[-1]
            out.append({"name": name, "version": data.get("version") or dist.version,
                        "server": data.get("server", "")})
print(json.dumps(out))
