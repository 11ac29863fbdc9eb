#!/usr/bin/env bash
# Regenerate every screenshot in this folder with `lrtui screenshot` (run from anywhere, lrtui installed).
set -euo pipefail
cd "$(dirname "$0")"
shot() { local name=$1; shift; lrtui screenshot -o "$name.svg" "$@" >/dev/null && echo "screenshots/$name.svg"; }
shot default --size 120x40 --press right,right,right,right,right,right,right,right,right,right,right,right
shot warmup-cosine-mlp --size 120x40 --problem mlp --optimizer adam --schedule warmup_cosine lr=0.02 \
    num_warmup_steps=20 num_training_steps=200 --epochs 200 --press escape,l,end
shot diverging --size 120x40 --schedule constant lr=2.1e-3 --problem rosenbrock --epochs 60 --press escape,l,end
shot sgdr-two-basins --size 120x40 --problem two_basins --schedule cosine_restarts lr=0.5 T_0=100 T_mult=2 \
    eta_min=0.001 --epochs 1500 --press end
shot landscape --size 120x40 --problem ravine --optimizer momentum optimizer.momentum=0.5 --schedule constant \
    lr=0.6 --epochs 40 --press escape,v,right,right,right,right,right,right,right,right
shot default-80x24-ascii --size 80x24 --ascii --press right,right,right,right,right
shot stability-catapult --size 120x40 --problem catapult --schedule constant lr=0.5 --epochs 60 --press end
shot range-test --size 120x40 --problem spectrum --schedule constant lr=0.1 --press escape,r
shot sharpness-catapult --size 120x40 --problem catapult --schedule constant lr=0.5 --epochs 60 --press escape,s,right,right
shot compare --size 120x40 --load compare-session.toml --press escape,l,end
shot recipe-gpt3 --size 120x40 --preset R6 --press end
shot wsd-branches --size 120x40 --problem river_valley problem.noise=3 --schedule wsd lr=0.1 num_warmup_steps=0 \
    num_decay_steps=300 num_training_steps=3000 decay_type=linear --epochs 3000 --press escape,w,l
shot lab-80x24 --size 80x24 --lab ../lrtui/labs/first-lab.toml --student ada --results "$(mktemp -d)/results.sqlite" \
    --press 1,enter,tab,down,enter,0,full_stop,4,9,enter
shot map-momentum --size 120x40 --preset T15
shot map-80x24-ascii --size 80x24 --ascii --optimizer momentum --epochs 300 --press escape,m,right,right,down
shot map-warmup --size 120x40 --preset T18
shot landscape-80x24-ascii --size 80x24 --ascii --problem ravine --schedule constant lr=0.45 --epochs 60 \
    --press escape,v,right,right,right,right,right
# lrtui serve in Chromium: made by its browser test (needs the test extra and Debian's chromium)
LRTUI_UPDATE_SCREENSHOTS=1 python -m pytest -q -p no:randomly ../tests/test_serve_browser.py -k student_session \
    >/dev/null && echo screenshots/serve-chromium.png
