"""Every text the web apps show exists in each language they offer: a key added in Portuguese only would
show English readers a Portuguese fallback (inbox, console) or nothing at all. Runs the dictionaries
under plain node, as the apps hold them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAME_IN_EVERY_LANGUAGE = {"poweredBy"}  # the product's name

# Reads the named `const NAME = { ... };` dictionaries of a module (the inbox keeps them private to its
# i18next set-up) and prints each one's own dotted keys: a `...PT` spread (the widget's languages start
# from Portuguese) is left out, so that a key not translated counts as missing.
JS_KEYS = r"""
const { readFileSync } = await import('node:fs');
const [file, ...names] = process.argv.slice(1);
const source = readFileSync(file, 'utf8');
const keys = (o, p = '') => Object.entries(o).flatMap(([k, v]) =>
  (v && typeof v === 'object' && !Array.isArray(v) ? keys(v, `${p}${k}.`) : [`${p}${k}`]));
const out = {};
for (const name of names) {
  const found = source.match(new RegExp(`^const ${name} = (\\{[\\s\\S]*?^\\});`, 'm'));
  if (!found) throw new Error(`no dictionary ${name} in ${file}`);
  out[name] = keys(Function(`return (${found[1].replace(/^\s*\.\.\.\w+,\s*$/gm, '')});`)()).sort();
}
console.log(JSON.stringify(out));
"""


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("web/inbox/src/i18n.js", ("ptBR", "en")),
        ("web/inbox/src/console/texts.js", ("pt", "en")),
        ("web/widget/src/panel/strings.js", ("PT", "EN", "ES")),
    ],
)
def test_each_language_has_every_key(module: str, names: tuple[str, ...]) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    out = subprocess.run(
        [node, "--input-type=module", "-e", JS_KEYS, str(ROOT / module), *names],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    dictionaries = json.loads(out.stdout)
    first, *others = names
    assert len(dictionaries[first]) > 20, "the dictionary was not read"
    for name in others:
        missing = set(dictionaries[first]) - set(dictionaries[name]) - SAME_IN_EVERY_LANGUAGE
        assert sorted(missing) == [], f"missing in {name}"
        assert sorted(set(dictionaries[name]) - set(dictionaries[first])) == [], f"only in {name}"
