import { Field } from "@/components/ui/field";

/** The account's email: fixed to the invited address when the form joins a team by invite. */
export function EmailField({ inviteEmail, typed, error }: { inviteEmail?: string; typed?: string; error?: string }) {
  return <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={inviteEmail ?? typed} readOnly={!!inviteEmail} error={error} />;
}

/** The account's password: the one it has (sign-in) or a new one (sign-up, with its rule as the hint). */
export function PasswordField({ isNew = false, error }: { isNew?: boolean; error?: string }) {
  return (
    <Field
      label="Password"
      name="password"
      type="password"
      autoComplete={isNew ? "new-password" : "current-password"}
      required
      hint={isNew ? "At least 10 characters." : undefined}
      error={error}
    />
  );
}
