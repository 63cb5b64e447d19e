import { Field } from "@/components/ui/field";
import { buttonClass } from "@/components/ui/button-class";

/** Where the pull secret goes: a plain GET form, so the instructions below are rendered for it (and the URL can be shared). */
export function NamespaceForm({
  namespace,
  additionalNamespaces,
  errors,
}: {
  namespace: string;
  additionalNamespaces: string;
  errors: { namespace?: string; additionalNamespaces?: string };
}) {
  return (
    <form method="get" className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end" aria-label="Namespaces">
      <Field label="Namespace" name="namespace" defaultValue={namespace} error={errors.namespace} hint="Where the app and its pull secret go." compact />
      <Field
        label="Additional namespaces"
        name="additionalNamespaces"
        defaultValue={additionalNamespaces}
        error={errors.additionalNamespaces}
        hint="Comma-separated; each gets a copy of the pull secret."
        placeholder="monitoring, jobs"
        compact
      />
      <button type="submit" className={buttonClass("secondary", "sm:mb-5")}>
        Update instructions
      </button>
    </form>
  );
}
