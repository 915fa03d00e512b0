#!/usr/bin/env bash
# Adds training plans (培训计划) to examples/demo with the tool itself: a yearly security
# (保密) training, product trainings held and planned, and who attended, so `report
# training`, the targets of `report weekly` and `report targets` show real content. Run it
# after examples/make-demo-deals.sh.
# Usage: examples/make-demo-trainings.sh [path/to/presales]   (default: cargo run --release)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then P=("$1"); else cargo build --release -q; P=(target/release/presales); fi
D=examples/demo
if [ -d "$D/trainings" ]; then
  echo "$D already holds trainings; run examples/make-demo.sh first for a fresh store" >&2
  exit 1
fi
export PRESALES_ROOT="$D" PRESALES_NOW PRESALES_USER
at() { PRESALES_NOW="$1"; }
as() { PRESALES_USER="$1"; }
new() { "${P[@]}" training new "$@" 2>/dev/null; }
attend() { "${P[@]}" training attend "$@" >/dev/null 2>&1; }

# The yearly security training, planned in October, held on 11-06; liu.yang was away.
as zhang.wei; at 2026-10-20T09:00:00+08:00
sec=$(new --title '年度保密意识培训' --kind security --date 2026-11-06 --trainer zhang.wei \
  --attendee chen.jing --attendee li.na --attendee wang.fang --attendee liu.yang \
  --attendee zhao.lei --attendee sun.li --topic 客户信息保护 --topic 保密制度 \
  --place '总部 3 楼会议室' --hours 2)
at 2026-11-06T17:00:00+08:00
attend "$sec" --member chen.jing --member li.na --member wang.fang --member zhao.lei --member sun.li

# Product trainings (技术培训) given by the engineers.
as li.na; at 2026-10-26T10:00:00+08:00
sdwan=$(new --title 'SD-WAN 新版本特性培训' --date 2026-11-12 --trainer li.na \
  --attendee wang.fang --attendee liu.yang --attendee zhao.lei --topic SD-WAN --topic IPv6 \
  --hours 3 --place 'Online (Teams)')
at 2026-11-12T18:00:00+08:00
attend "$sdwan" --member wang.fang --member liu.yang
as wang.fang; at 2026-11-16T10:00:00+08:00
lake=$(new --title 'DataHub CDC 与数据湖入门' --date 2026-11-24 --trainer wang.fang \
  --attendee li.na --attendee liu.yang --attendee sun.li --topic DataHub --hours 90m)
at 2026-11-24T17:30:00+08:00
attend "$lake" --member li.na --member sun.li --member zhang.wei
# Planned for December: nobody has attended yet.
as zhang.wei; at 2026-11-26T10:00:00+08:00
new --title '存储与影像云方案培训' --date 2026-12-08 --trainer liu.yang \
  --attendee li.na --attendee wang.fang --attendee zhao.lei --topic Storage >/dev/null

echo "training plans and attendance added to $D" >&2
