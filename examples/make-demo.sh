#!/usr/bin/env bash
# Rebuilds examples/demo with the tool itself: a bilingual team and requests in every stage.
# Usage: examples/make-demo.sh [path/to/presales]   (default: cargo run --release)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then P=("$1"); else cargo build --release -q; P=(target/release/presales); fi
D=examples/demo
rm -rf "$D"
export PRESALES_ROOT="$D" PRESALES_NOW PRESALES_USER
at() { PRESALES_NOW="$1"; }
as() { PRESALES_USER="$1"; }
ps() { "${P[@]}" "$@"; }

at 2026-11-02T09:00:00+08:00; as zhang.wei
ps init "$D" 2>/dev/null

as zhao.lei
c_bank=$(ps customer new --name 华东银行 --industry banking --region 上海 --owner zhao.lei 2>/dev/null)
c_park=$(ps customer new --name 苏州工业园区管委会 --industry government --region 江苏 --owner zhao.lei 2>/dev/null)
c_acme=$(ps customer new --name "ACME Manufacturing GmbH" --industry manufacturing --region Europe --owner sun.li 2>/dev/null)
c_hosp=$(ps customer new --name 仁和医院 --industry healthcare --region 浙江 --owner sun.li --confidential 2>/dev/null)
c_retail=$(ps customer new --name "Northwind Retail" --industry retail --region APAC --owner sun.li 2>/dev/null)

new() { ps new "$@" 2>/dev/null; }

# Registered only.
at 2026-11-24T10:00:00+08:00
new --title '分行网点 SD-WAN 组网咨询' --customer "$c_bank" --type consultation --priority P3 --skill network >/dev/null
as sun.li
new --title 'Retail analytics platform RFP' --customer "$c_retail" --type rfp --priority P2 --skill database --skill cloud \
  --product "DataHub" --description $'Tender for a retail analytics platform.\nDeadline for answers: 2026-12-18.' --due 2026-12-18 >/dev/null

# Assigned.
as zhao.lei; at 2026-11-20T14:00:00+08:00
r=$(new --title '园区统一身份认证方案' --customer "$c_park" --priority P2 --skill security --product IAM --due 2026-12-20)
as zhang.wei; ps assign "$r" --auto >/dev/null 2>&1

# In analysis.
as sun.li; at 2026-11-18T09:30:00+08:00
r=$(new --title 'MES integration for the Stuttgart plant' --customer "$c_acme" --priority P2 --skill database --product DataHub --product "API Gateway" \
  --description 'Connect the MES to our data platform; 3 production lines, OPC UA.' --due 2026-12-15)
as zhang.wei; ps assign "$r" --auto >/dev/null 2>&1
at 2026-11-19T10:00:00+08:00; as wang.fang
ps assess "$r" --feasibility partial --difficulty 4 --notes 'OPC UA connector needs a partner module' >/dev/null 2>&1

# In design.
as zhao.lei; at 2026-11-10T11:00:00+08:00
r=$(new --title '智慧园区网络改造方案' --customer "$c_park" --priority P1 --skill network --product SD-WAN --product "Wi-Fi 7" \
  --description $'园区 12 栋楼的有线与无线网络改造。\n要求：统一运维、访客隔离、明年三月前完工。' --due 2026-12-10 --tag 园区 --tag 网络)
as zhang.wei; ps assign "$r" --auto >/dev/null 2>&1
at 2026-11-11T09:00:00+08:00; as li.na
ps assess "$r" --feasibility feasible --difficulty 3 --notes '现有产品可覆盖，需定制运维接口' >/dev/null 2>&1
at 2026-11-12T16:00:00+08:00
ps advance "$r" --note '评估通过，开始方案设计' >/dev/null 2>&1
ps comment "$r" '客户希望下周二演示' >/dev/null 2>&1

# Overdue, in analysis.
as zhao.lei; at 2026-11-03T09:00:00+08:00
r=$(new --title '核心系统灾备演练支持' --customer "$c_bank" --priority P1 --skill database --due 2026-11-20 --confidential)
as zhang.wei; ps assign "$r" --to wang.fang >/dev/null 2>&1
at 2026-11-04T09:00:00+08:00; as wang.fang
ps assess "$r" --feasibility feasible --difficulty 2 >/dev/null 2>&1

# A demo request, demonstrated and closed.
as sun.li; at 2026-11-05T10:00:00+08:00
r=$(new --title 'Live demo of the API gateway' --customer "$c_retail" --type demo --priority P3 --product "API Gateway")
as zhang.wei; ps assign "$r" --auto >/dev/null 2>&1
at 2026-11-09T15:00:00+08:00; as li.na
ps advance "$r" >/dev/null 2>&1
at 2026-11-10T10:00:00+08:00
ps close "$r" --outcome won --summary 'Customer chose our gateway after the demo' --satisfaction 4 --technical-win >/dev/null 2>&1

# Consultations answered and closed.
as zhao.lei; at 2026-11-06T09:00:00+08:00
r=$(new --title '医院 HIS 与数据平台对接的合规问题' --customer "$c_hosp" --type consultation --priority P2 --confidential)
as zhang.wei; ps assign "$r" --auto >/dev/null 2>&1
at 2026-11-06T15:00:00+08:00; as wang.fang
ps advance "$r" --note '数据不出院，采用院内部署 + 脱敏接口' >/dev/null 2>&1
at 2026-11-07T10:00:00+08:00
ps close "$r" --outcome won --summary '已答复，客户接受院内部署方案' --satisfaction 5 >/dev/null 2>&1

as sun.li; at 2026-11-16T09:00:00+08:00
r=$(new --title 'Does DataHub support CDC from Oracle 19c?' --customer "$c_acme" --type consultation --priority P3 --skill database)
as zhang.wei; ps assign "$r" --auto >/dev/null 2>&1
at 2026-11-16T11:30:00+08:00; as wang.fang
ps advance "$r" --note 'Yes, via LogMiner-based CDC; certified on 19c.' >/dev/null 2>&1

# Cancelled early, and closed as infeasible after analysis.
as zhao.lei; at 2026-11-08T09:00:00+08:00
r=$(new --title '网点智能排队系统' --customer "$c_bank" --priority P4)
as zhang.wei; ps assign "$r" --auto >/dev/null 2>&1
at 2026-11-13T09:00:00+08:00; as zhao.lei
ps close "$r" --outcome cancelled --summary '客户预算冻结，项目取消' >/dev/null 2>&1

as sun.li; at 2026-11-09T09:00:00+08:00
r=$(new --title 'Mainframe batch offload to cloud' --customer "$c_acme" --priority P3 --skill cloud)
as zhang.wei; ps assign "$r" --auto >/dev/null 2>&1
at 2026-11-10T09:00:00+08:00; as wang.fang
ps assess "$r" --feasibility infeasible --difficulty 5 --notes 'COBOL/CICS not supported by our runtime' >/dev/null 2>&1
ps close "$r" --outcome infeasible --summary 'Told the customer early; referred to a partner' >/dev/null 2>&1

# A POC waiting for assignment and a second RFP in analysis.
as zhao.lei; at 2026-11-25T09:00:00+08:00
new --title '园区 Wi-Fi 7 漫游 POC' --customer "$c_park" --type poc --priority P2 --skill network --product "Wi-Fi 7" >/dev/null
as sun.li; at 2026-11-21T09:00:00+08:00
r=$(new --title 'Store network refresh (RFP #2026-117)' --customer "$c_retail" --type rfp --priority P1 --skill network --product SD-WAN --due 2026-12-12)
as zhang.wei; ps assign "$r" --auto >/dev/null 2>&1
at 2026-11-23T09:00:00+08:00
ps assess "$r" --as li.na --feasibility feasible --difficulty 3 --notes '120 stores; reuse the Northwind template' >/dev/null 2>&1

echo "demo store rebuilt in $D" >&2
