"""/me, the member's dashboard: everything it shows, read in one transaction.

me.py holds `DashboardService.dashboard`: the member's plans and open payment (through
services/payments' `overview_of`) and, for an active VIP, the group (services/access'
`group_status`), their affiliate account and their commission balance. It has a
package of its own because it reads across features that must not import each other.
"""

from __future__ import annotations

from services.dashboard.me import Dashboard, DashboardService, VipDashboard

__all__ = ["Dashboard", "DashboardService", "VipDashboard"]
