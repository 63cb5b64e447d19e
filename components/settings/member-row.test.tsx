import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ActionState } from "@/lib/server/action-state";

// The server actions are the network boundary of the row: each test answers them.
const actions = vi.hoisted(() => ({
  changeRoleAction: vi.fn<(state: ActionState, fd: FormData) => Promise<ActionState>>(),
  removeMemberAction: vi.fn<(state: ActionState, fd: FormData) => Promise<ActionState>>(),
  endMemberSessionsAction: vi.fn<(state: ActionState, fd: FormData) => Promise<ActionState>>(),
  resetMemberTwoFactorAction: vi.fn<(state: ActionState, fd: FormData) => Promise<ActionState>>(),
}));
vi.mock("@/app/_actions/members", () => ({ changeRoleAction: actions.changeRoleAction, removeMemberAction: actions.removeMemberAction }));
vi.mock("@/app/_actions/sessions", () => ({ endMemberSessionsAction: actions.endMemberSessionsAction }));
vi.mock("@/app/_actions/two-factor", () => ({ resetMemberTwoFactorAction: actions.resetMemberTwoFactorAction }));

const { MemberRow } = await import("./member-row");

const member = { id: "3f0c2f9e-0000-4000-8000-000000000001", email: "dev@example.test", role: "developer" as const };

beforeEach(() => {
  for (const action of Object.values(actions)) action.mockReset();
});

describe("a member's row, for an admin", () => {
  const cases = [
    { name: "End sessions", title: `End the sessions of ${member.email}?`, question: /signed out on its next request/, action: actions.endMemberSessionsAction },
    { name: "Reset 2FA", title: `Reset two-factor authentication of ${member.email}?`, question: /recovery codes stop working/, action: actions.resetMemberTwoFactorAction },
  ];

  for (const c of cases) {
    it(`${c.name}: asks first, sends the membership, closes and says it is done; an error stays in the dialog`, async () => {
      const user = userEvent.setup();
      render(<MemberRow member={member} isAdmin isSelf={false} />);

      c.action.mockResolvedValueOnce({ status: "error", message: "Try again in a moment." });
      await user.click(screen.getByRole("button", { name: `${c.name} of ${member.email}` }));
      const dialog = screen.getByRole("dialog", { name: c.title });
      expect(within(dialog).getByText(c.question)).toBeTruthy();
      await user.click(within(dialog).getByRole("button", { name: c.name }));
      expect((await within(dialog).findByRole("alert")).textContent).toBe("Try again in a moment.");
      expect(Object.fromEntries((c.action.mock.calls[0]![1] as FormData).entries())).toEqual({ membershipId: member.id });

      c.action.mockResolvedValueOnce({ status: "ok", message: "Done for dev@example.test." });
      await user.click(within(dialog).getByRole("button", { name: c.name }));
      expect((await screen.findByRole("status")).textContent).toBe("Done for dev@example.test.");
      await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    });
  }
});
