#!/usr/bin/env bash
# Adds the upkeep policies to examples/demo with the tool itself: review cycles, a review and
# flags on articles (资料库定期更新, 使用反馈), customer contacts and a note (客户档案), and a
# complaint handled end to end (客户投诉). Run it after examples/make-demo-deals.sh.
# Usage: examples/make-demo-upkeep.sh [path/to/presales]   (default: cargo run --release)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then P=("$1"); else cargo build --release -q; P=(target/release/presales); fi
D=examples/demo
if grep -q "^\[kb\]" "$D/presales.toml"; then
  echo "$D already has [kb]; run examples/make-demo.sh first for a fresh store" >&2
  exit 1
fi
# The policies of the 0.2.0 template: a review cycle, and the complaint type with its limits.
cat >> "$D/presales.toml" <<'TOML'

# Knowledge-base upkeep (资料库定期更新).
[kb]
review_every = "180d"
TOML
python3 - "$D/presales.toml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('from = { analysis = ["infeasible"] }',
              'from = { analysis = ["infeasible"], investigating = ["rejected"] }', 1)
anchor = '\n[[members]]'
i = s.index(anchor)
s = s[:i] + '''
# A customer complaint (客户投诉): investigated, settled, closed with its resolution.
[workflow.types.complaint]
description = "Customer complaint (客户投诉): investigated, resolved, closed with a resolution"
stages = ["registered", "assigned", "investigating", "resolved", "closed"]
outcomes = ["resolved", "rejected"]
sla = { P1 = { first_response_hours = 1, resolution_hours = 24 }, P2 = { first_response_hours = 2, resolution_hours = 48 } }
''' + s[i:]
open(p, 'w').write(s)
PY
export PRESALES_ROOT="$D" PRESALES_NOW PRESALES_USER
at() { PRESALES_NOW="$1"; }
as() { PRESALES_USER="$1"; }
ps() { "${P[@]}" "$@" >/dev/null 2>&1; }
id_of() { "${P[@]}" list --format csv 2>/dev/null | awk -F, -v t="$1" '$5 == t { print $1; exit }'; }
kb_of() { grep -l "^title: $1\$" "$D"/kb/*/KB-*.yaml | xargs basename | sed 's/\.yaml$//'; }

# Knowledge base: the SD-WAN manual reviewed on a quarterly cycle, a flag raised from a
# request, and one on the dispatch article itself.
sdwan=$(kb_of 'SD-WAN 产品手册')
dispatch=$(kb_of '派工原则与轮流规则')
as li.na; at 2026-11-27T09:45:00+08:00
ps kb flag "$sdwan" --request "$(id_of '分行 SD-WAN 组网改造')" --note '第 4 章 QoS 配置截图是 3.x 旧版控制台'
as wang.fang; at 2026-11-25T16:00:00+08:00
ps kb review "$sdwan" --every 90d --note '更新第 4 章截图到 4.2 控制台'
as liu.yang; at 2026-11-26T11:00:00+08:00
ps kb flag "$dispatch" --note '没写清楚请假半天的工程师是否参与轮流'

# Customer files: contacts and a contact outside requests.
as zhao.lei; at 2026-11-20T09:00:00+08:00
ps customer edit 华东银行 --contact 'name=王强,title=信息科技部总经理,phone=13800000001,email=wang.qiang@hdbank.example' \
  --contact 'name=陈敏,title=网络组组长,email=chen.min@hdbank.example'
ps customer edit 'Northwind' --contact 'name=Ana Trujillo,title=IT Director,email=ana@northwind.example'
at 2026-11-24T15:30:00+08:00
ps customer note 华东银行 --contact 王强 --text '电话回访：SD-WAN 演示反馈良好，希望 12 月初拿到报价'

# A complaint: licence file expired at 仁和医院, resolved the same day.
as zhao.lei; at 2026-11-26T08:40:00+08:00
c=$("${P[@]}" new --type complaint --priority P1 --customer 仁和医院 \
  --title '影像存储授权过期导致归档中断' --description '医院信息科来电：PACS 归档任务自 8 点起失败' 2>/dev/null)
as zhang.wei; at 2026-11-26T08:50:00+08:00
ps assign "$c" --to wang.fang
as wang.fang; at 2026-11-26T09:20:00+08:00
ps advance "$c" --note '远程排查：存储授权文件 11 月 25 日到期'
at 2026-11-26T11:05:00+08:00
ps advance "$c" --note '补发正式授权文件并重启归档服务'
at 2026-11-26T15:00:00+08:00
ps close "$c" --outcome resolved --resolution '补发授权文件，归档恢复；已为所有医院客户设置到期前 30 天提醒' --satisfaction 4
# And one still open, from Northwind.
as zhao.lei; at 2026-11-27T09:10:00+08:00
c2=$("${P[@]}" new --type complaint --priority P2 --customer Northwind \
  --title 'Demo environment unreachable during board review' 2>/dev/null)
as zhang.wei; at 2026-11-27T09:15:00+08:00
ps assign "$c2" --to li.na
echo "review cycles, flags, contacts, a note and complaints added to $D" >&2
