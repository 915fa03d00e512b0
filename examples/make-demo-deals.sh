#!/usr/bin/env bash
# Adds deal intelligence to examples/demo with the tool itself: deal values, and effort
# logged on the work of November (工时), so `report capacity` and `report winloss` show
# real content. Run it after examples/make-demo.sh (and make-demo-kb.sh).
# Usage: examples/make-demo-deals.sh [path/to/presales]   (default: cargo run --release)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then P=("$1"); else cargo build --release -q; P=(target/release/presales); fi
D=examples/demo
if grep -q "^effort:" "$D"/requests/*/REQ-*.yaml; then
  echo "$D already holds effort; run examples/make-demo.sh first for a fresh store" >&2
  exit 1
fi
export PRESALES_ROOT="$D" PRESALES_NOW PRESALES_USER
at() { PRESALES_NOW="$1"; }
as() { PRESALES_USER="$1"; }
ps() { "${P[@]}" "$@"; }
# The ID of the request with this exact title.
id_of() { ps list --format csv 2>/dev/null | awk -F, -v t="$1" '$5 == t { print $1; exit }'; }
# Sets a request's deal value through `presales edit`, as a person would in the editor.
value() {
  local r; r=$(id_of "$1")
  EDITOR="sed -i -e '/^customer: /a opportunity:\\n  value: \"$2\"\\n  currency: $3'" \
    ps edit "$r" >/dev/null 2>&1
}
log() { local r; r=$(id_of "$1"); shift; ps log "$r" "$@" >/dev/null 2>&1; }

as zhao.lei; at 2026-11-27T08:00:00+08:00
value '数据中心网络升级' 3800000 CNY
value '医院影像云存储方案' 1500000 CNY
value '分行 SD-WAN 组网改造' 2400000 CNY
value '智慧园区网络改造方案' 5200000 CNY
value 'Retail analytics RFP #2026-088' 450000 USD
value 'Plant data lake phase 1' 780000 EUR

as li.na; at 2026-11-27T09:00:00+08:00
log '分行 SD-WAN 组网改造' 3h --activity design --date 2026-11-23 --note '拓扑与 QoS 设计'
log '分行 SD-WAN 组网改造' 4h --activity demo --date 2026-11-24 --note '分行现场演示'
log '分行 SD-WAN 组网改造' 2h --activity travel --date 2026-11-24
log 'Warehouse Wi-Fi and scanner roaming' 1d --activity poc --date 2026-11-25
log '园区统一身份认证方案' 90m --activity meeting --date 2026-11-26 --note '需求澄清会'
as wang.fang
log 'Retail analytics RFP #2026-088' 1d --activity rfp --date 2026-11-23 --note 'Answer sheet, sections 1–4'
log 'Retail analytics RFP #2026-088' 6h --activity rfp --date 2026-11-24
log 'MES integration for the Stuttgart plant' 2.5h --activity meeting --date 2026-11-25
log '核心系统灾备演练支持' 3h --activity design --date 2026-11-26
as liu.yang
log '智慧园区网络改造方案' 5h --activity design --date 2026-11-23
log '智慧园区网络改造方案' 3h --activity meeting --date 2026-11-25 --note '与设计院对接'
log 'Store network refresh (RFP #2026-117)' 4h --activity rfp --date 2026-11-26

# Product gaps (产品差距) the deals ran into, linked from the requests (and a demo's feedback).
gap() { ps gap "$@" 2>/dev/null; }
as li.na; at 2026-11-27T09:30:00+08:00
g1=$(gap new --title 'SD-WAN overlay 不支持 IPv6' --product SD-WAN --area network \
  --description '分行要求 IPv6 双栈 overlay，当前版本仅支持 IPv4 隧道')
g2=$(gap new --title 'No CDC from Oracle 19c' --product DataHub --area integration \
  --description 'Change data capture stops at Oracle 12c; RFP #2026-088 and ACME ask for 19c')
g3=$(gap new --title '影像归档不支持 DICOM 无损压缩' --product Storage --area imaging)
gap link "$g1" "$(id_of '分行 SD-WAN 组网改造')" --severity blocker --feedback 1 >/dev/null
gap link "$g2" "$(id_of 'Retail analytics RFP #2026-088')" --severity challenge >/dev/null
gap link "$g2" "$(id_of 'Does DataHub support CDC from Oracle 19c?')" --severity nice_to_have >/dev/null
gap link "$g3" "$(id_of '医院影像云存储方案')" --severity blocker >/dev/null
as zhang.wei
gap status "$g2" planned --ref DATAHUB-412 --note '研发排期 2027 Q1' >/dev/null

echo "deal values, effort and product gaps added to $D" >&2
