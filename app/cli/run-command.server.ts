// How every npm command ends: its exit code, or its error on one line prefixed with the
// command's name and exit code 1.
export function runCommand(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${name}: ${(error as Error).message}`)
      process.exit(1)
    },
  )
}
