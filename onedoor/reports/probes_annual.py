"""Out-of-scope probes of the annual report and monthly statistics (see probes.py)."""

from onedoor.core.probes import Unscoped

PROBES: list = [Unscoped("reports:index", "占位：报表首页暂时显示工作台首页，没有报表数据")]
