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
cat >> "$D/presales.toml" <<'TOML'

# ── Demo: a business-hours calendar, so the SLA figures count working time only
# (docs/reports.md). The holidays are an example; use your own official schedule.
[calendar]
time_zone = "Asia/Shanghai"
working_days = ["mon", "tue", "wed", "thu", "fri"]
hours = ["09:00", "18:00"]
holidays = ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07", "2027-01-01"]
extra_working_days = ["2026-10-10"]
TOML

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


# ── Solutions: every later stage of the path ──────────────────────────────────
mkdir -p "$D/plans"
# design_ready REQ ENGINEER PLAN_FILE: assess, design, a solution with plan, time plan, resources.
design_ready() {
  local r=$1 eng=$2 plan=$3
  as "$eng"
  ps assess "$r" --feasibility feasible --difficulty 3 --notes '方案可行 / feasible with current products' >/dev/null 2>&1
  ps advance "$r" >/dev/null 2>&1
  s=$(ps solution new --request "$r" --plan-file "$D/plans/$plan" 2>/dev/null)
  ps solution milestone "$s" --name '方案确认 / design sign-off' --date 2026-12-04 >/dev/null 2>&1
  ps solution milestone "$s" --name '试点上线 / pilot live' --date 2027-01-15 >/dev/null 2>&1
  ps solution resource "$s" --role '售前工程师 presales engineer' --person "$eng" --days 8 >/dev/null 2>&1
  ps solution resource "$s" --role '实施顾问 delivery consultant' --days 15 >/dev/null 2>&1
  ps solution risk "$s" --description '旧设备兼容性 legacy compatibility' --likelihood 3 --impact 4 \
    --mitigation '先做兼容性测试 / lab test first' --owner "$eng" >/dev/null 2>&1
  echo "$s"
}
demo_done() { # REQ DATE: a demo with two feedback items, both dispositioned
  ps demo "$1" --date "$2" --attendee '客户 CTO' --attendee 'IT manager' --notes '现场演示 / on-site demo' >/dev/null 2>&1
  ps feedback "$1" --from '客户 CTO' --text '需要双活容灾 / needs active-active DR' >/dev/null 2>&1
  ps feedback "$1" --from 'IT manager' --text '报表要支持导出 Excel' >/dev/null 2>&1
  ps feedback "$1" --item 1 --disposition accepted >/dev/null 2>&1
  ps feedback "$1" --item 2 --disposition done >/dev/null 2>&1
}

cat > "$D/plans/branch-sdwan.md" <<'MD'
# 分行 SD-WAN 组网方案 / Branch SD-WAN design

## 目标 Goals
- 300 个网点双线接入，主备自动切换 (< 1 s)
- Zero-touch provisioning for new branches

## 架构 Architecture
总部双活汇聚 + 区域 POP + 网点 CPE；集中控制器统一编排。
MD
cat > "$D/plans/park-iam.md" <<'MD'
# 园区统一身份认证 / Park-wide identity

SSO (OIDC + SAML) for 40 tenant companies; MFA for administrators; audit log kept 180 days.
MD
cat > "$D/plans/retail-analytics.md" <<'MD'
# Retail analytics platform (RFP answer)

DataHub ingest from 1,200 POS terminals, daily sales cube, self-service dashboards.
MD

# In demo: feedback still open.
as zhao.lei; at 2026-11-12T09:00:00+08:00
r=$(new --title '分行 SD-WAN 组网改造' --customer "$c_bank" --priority P2 --skill network --product SD-WAN --due 2026-12-31)
as zhang.wei; ps assign "$r" --to li.na >/dev/null 2>&1
at 2026-11-14T10:00:00+08:00
s=$(design_ready "$r" li.na branch-sdwan.md)
at 2026-11-26T15:00:00+08:00
ps demo "$r" --date 2026-11-26 --attendee '信息科技部' --notes '演示主备切换' >/dev/null 2>&1
ps feedback "$r" --from '信息科技部' --text '希望支持 IPv6' >/dev/null 2>&1

# In review, round 1 open with one verdict.
as sun.li; at 2026-11-13T09:00:00+08:00
r=$(new --title 'Warehouse Wi-Fi and scanner roaming' --customer "$c_acme" --priority P3 --skill network --product "Wi-Fi 7")
as zhang.wei; ps assign "$r" --to li.na >/dev/null 2>&1
at 2026-11-16T10:00:00+08:00
s=$(design_ready "$r" li.na branch-sdwan.md)
at 2026-11-20T14:00:00+08:00; demo_done "$r" 2026-11-20
ps advance "$r" >/dev/null 2>&1
at 2026-11-24T11:00:00+08:00
ps review "$s" --verdict pass --comment 'Coverage model is sound' --as wang.fang >/dev/null 2>&1

# RFP with a quotation, in review (quotation required by the rfp type).
as sun.li; at 2026-11-06T09:00:00+08:00
r=$(new --title 'Retail analytics RFP #2026-088' --customer "$c_retail" --type rfp --priority P1 --skill database --product DataHub --due 2026-12-05)
as zhang.wei; ps assign "$r" --to wang.fang >/dev/null 2>&1
at 2026-11-07T10:00:00+08:00
s=$(design_ready "$r" wang.fang retail-analytics.md)
ps solution quote "$s" --item 'DataHub license (per node)' --qty 6 --unit-price 48000 --currency CNY --valid-until 2027-03-31 >/dev/null 2>&1
ps solution quote "$s" --item '实施服务 (人天)' --qty 45 --unit-price 2800.50 >/dev/null 2>&1
ps solution quote "$s" --item '培训 training' --qty 2 --unit-price 6000 >/dev/null 2>&1
at 2026-11-18T15:00:00+08:00; demo_done "$r" 2026-11-18
ps advance "$r" >/dev/null 2>&1

# Approved after a revise loop (demo → design) and a passed round.
as zhao.lei; at 2026-11-04T09:00:00+08:00
r=$(new --title '园区访客管理与门禁联动' --customer "$c_park" --priority P2 --skill security --product IAM)
as zhang.wei; ps assign "$r" --to li.na >/dev/null 2>&1
at 2026-11-05T10:00:00+08:00
s=$(design_ready "$r" li.na park-iam.md)
at 2026-11-10T10:00:00+08:00; demo_done "$r" 2026-11-10
ps advance "$r" --to design --note '客户要求门禁联动，方案重做' >/dev/null 2>&1
ps solution plan "$s" --plan $'# v2 访客 + 门禁联动\n\n访客二维码与门禁控制器对接，黑名单实时同步。' >/dev/null 2>&1
at 2026-11-17T10:00:00+08:00; ps advance "$r" >/dev/null 2>&1; demo_done "$r" 2026-11-17
ps advance "$r" >/dev/null 2>&1
at 2026-11-19T10:00:00+08:00
ps review "$s" --verdict pass --comment '联动方案可行' --as zhang.wei >/dev/null 2>&1
ps review "$s" --verdict pass --comment '风险可控' --as wang.fang >/dev/null 2>&1
at 2026-11-20T09:00:00+08:00
ps approve "$s" --note '同意，按报价执行' --as chen.jing >/dev/null 2>&1

# Handed over to sales with training.
as sun.li; at 2026-10-26T09:00:00+08:00
r=$(new --title 'Plant data lake phase 1' --customer "$c_acme" --priority P2 --skill cloud --product DataHub)
as zhang.wei; ps assign "$r" --to wang.fang >/dev/null 2>&1
at 2026-10-27T10:00:00+08:00
s=$(design_ready "$r" wang.fang retail-analytics.md)
at 2026-11-03T10:00:00+08:00; demo_done "$r" 2026-11-03
ps advance "$r" >/dev/null 2>&1
ps review "$s" --verdict pass --comment 'OK' --as li.na >/dev/null 2>&1
ps review "$s" --verdict pass --comment 'OK' --as zhang.wei >/dev/null 2>&1
at 2026-11-05T09:00:00+08:00; ps approve "$s" --as chen.jing >/dev/null 2>&1
at 2026-11-06T16:00:00+08:00
ps handover "$r" --to sun.li --training '2026-11-10 Solution walkthrough sun.li,zhao.lei' >/dev/null 2>&1

# Won, through a revise loop from review and two review rounds.
as zhao.lei; at 2026-10-12T09:00:00+08:00
r=$(new --title '数据中心网络升级' --customer "$c_bank" --priority P1 --skill network --product SD-WAN)
as zhang.wei; ps assign "$r" --to li.na >/dev/null 2>&1
at 2026-10-13T10:00:00+08:00
s=$(design_ready "$r" li.na branch-sdwan.md)
at 2026-10-16T10:00:00+08:00; demo_done "$r" 2026-10-16; ps advance "$r" >/dev/null 2>&1
at 2026-10-18T10:00:00+08:00
ps review "$s" --verdict revise --comment '割接方案不完整' --as zhang.wei >/dev/null 2>&1
ps advance "$r" --to design --note '补充割接与回退计划' >/dev/null 2>&1
at 2026-10-22T10:00:00+08:00; ps advance "$r" >/dev/null 2>&1; demo_done "$r" 2026-10-22; ps advance "$r" >/dev/null 2>&1
at 2026-10-24T10:00:00+08:00
ps review "$s" --verdict pass --comment '割接计划完整' --as zhang.wei >/dev/null 2>&1
ps review "$s" --verdict pass --comment '同意' --as wang.fang >/dev/null 2>&1
at 2026-10-26T10:00:00+08:00; ps approve "$s" --as chen.jing >/dev/null 2>&1
at 2026-10-28T10:00:00+08:00; ps handover "$r" --to zhao.lei --training '2026-10-30 方案讲解 zhao.lei' >/dev/null 2>&1
at 2026-11-15T10:00:00+08:00
ps close "$r" --outcome won --summary '客户签约，合同额 380 万；技术方案获评第一' --satisfaction 5 --technical-win >/dev/null 2>&1

# Rejected in review, then cancelled.
as sun.li; at 2026-10-20T09:00:00+08:00
r=$(new --title 'Legacy ERP migration to containers' --customer "$c_retail" --priority P3 --skill cloud)
as zhang.wei; ps assign "$r" --to wang.fang >/dev/null 2>&1
at 2026-10-21T10:00:00+08:00
s=$(design_ready "$r" wang.fang retail-analytics.md)
at 2026-10-24T10:00:00+08:00; demo_done "$r" 2026-10-24; ps advance "$r" >/dev/null 2>&1
at 2026-10-27T10:00:00+08:00
ps review "$s" --verdict reject --comment 'Licensing of the ERP forbids containers' --as li.na >/dev/null 2>&1
ps review "$s" --verdict reject --comment '许可不允许容器化' --as zhang.wei >/dev/null 2>&1
at 2026-10-28T10:00:00+08:00
ps close "$r" --outcome cancelled --summary 'Rejected in review: ERP licence forbids it; customer informed' >/dev/null 2>&1

# Lost after handover.
as zhao.lei; at 2026-09-28T09:00:00+08:00
r=$(new --title '医院影像云存储方案' --customer "$c_hosp" --priority P2 --skill cloud --confidential)
as zhang.wei; ps assign "$r" --to wang.fang >/dev/null 2>&1
at 2026-09-29T10:00:00+08:00
s=$(design_ready "$r" wang.fang retail-analytics.md)
at 2026-10-09T10:00:00+08:00; demo_done "$r" 2026-10-09; ps advance "$r" >/dev/null 2>&1
ps review "$s" --verdict pass --comment '可行' --as li.na >/dev/null 2>&1
ps review "$s" --verdict pass --comment '可行' --as zhang.wei >/dev/null 2>&1
at 2026-10-12T10:00:00+08:00; ps approve "$s" --as chen.jing >/dev/null 2>&1
ps handover "$r" --to zhao.lei >/dev/null 2>&1
at 2026-11-02T10:00:00+08:00
ps close "$r" --outcome lost --summary '价格高于竞品 15%，客户选择竞品' --satisfaction 3 --technical-win >/dev/null 2>&1

echo "demo store rebuilt in $D" >&2
