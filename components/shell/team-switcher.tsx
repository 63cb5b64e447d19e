import { switchTeamAction } from "@/app/_actions/auth";

/** Lists the user's teams; choosing one makes it the session's active team. */
export function TeamSwitcher({ teams, activeTeamId, idPrefix }: { teams: { id: string; name: string }[]; activeTeamId: string; idPrefix: string }) {
  const id = `${idPrefix}-team-switcher`;
  if (teams.length < 2) {
    return <p className="truncate px-3 text-sm font-semibold text-slate-900">{teams[0]?.name}</p>;
  }
  return (
    <form action={switchTeamAction} className="px-3">
      <label htmlFor={id} className="sr-only">
        Team
      </label>
      <div className="flex gap-1">
        <select
          id={id}
          name="teamId"
          defaultValue={activeTeamId}
          className="min-w-0 flex-1 min-h-9 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm font-semibold"
        >
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <button type="submit" className="min-h-9 rounded-md border border-slate-300 bg-white px-2 text-xs font-medium hover:bg-slate-50">
          Switch
        </button>
      </div>
    </form>
  );
}
