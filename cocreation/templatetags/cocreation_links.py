"""Co-creation's links on other apps' pages: the member page and "My work" (one tag each)."""

from django import template

from ogp_portal.compiled import compiled
from ogp_portal.permissions import member_ids_with_role

from ..models import CoCreationProcess

register = template.Library()


def _member_processes(member):
    return CoCreationProcess.objects.filter(member_id=member).order_by("-plan_deadline")


@register.inclusion_tag("cocreation/_member_links.html")
def member_cocreation(member, user):
    """The member's co-creation processes and document repository, and "open one" for those who may."""
    return {
        "member": member,
        # Compiled once per process (ogp_portal.compiled): building it cost more than running it (issue #20).
        "processes": compiled("member-cocreation-processes", _member_processes, member=member.pk),
        "may_open": user.has_perm("cocreation.open_process", member),
    }


def _processes_of(**members):
    """The processes of the members ``m0``, ``m1``… (the visitor's), by member name and latest deadline first."""
    return (CoCreationProcess.objects.filter(member_id__in=[pk for _name, pk in sorted(members.items())])
            .select_related("member").order_by("member__name", "-plan_deadline"))


@register.inclusion_tag("cocreation/_my_work.html")
def my_cocreation(user):
    """The "Co-creation" section of "My work" for the forum secretariat and the point of contact (nothing otherwise)."""
    secretariat = member_ids_with_role(user, "secretariat")
    contact = member_ids_with_role(user, "point_of_contact")
    members = sorted(secretariat | contact)
    if not members:
        return {"rows": [], "keeps": False}  # no role that keeps a process: no query
    # Compiled once per process for each number of members (ogp_portal.compiled), as the member page's list.
    processes = compiled(f"my-cocreation-processes:{len(members)}", _processes_of,
                         **{f"m{i}": pk for i, pk in enumerate(members)})
    rows = [{"process": p, "secretariat": p.member_id in secretariat, "contact": p.member_id in contact} for p in processes]
    return {"rows": rows, "keeps": True}
