/**
 * Code that keeps its lines and scrolls sideways when they are longer than the screen. It is
 * focusable and named, so keyboard users can reach it and scroll it with the arrow keys.
 */
export function ScrollingCode({ label, children, className = "", testId }: { label: string; children: React.ReactNode; className?: string; testId?: string }) {
  return (
    <pre
      tabIndex={0}
      role="group"
      aria-label={label}
      data-testid={testId}
      className={`overflow-x-auto whitespace-pre font-mono text-xs leading-5 text-slate-100 focus-visible:outline-offset-[-2px] ${className}`}
    >
      <code>{children}</code>
    </pre>
  );
}
