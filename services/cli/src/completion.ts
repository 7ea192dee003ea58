import type { Command } from 'commander'

/**
 * A bash completion script generated from the program's own command tree, so it never falls
 * behind the commands (commander has no completion of its own). Completes command words and
 * each command's long options; `source <(offside completion bash)`.
 */
export function bashCompletion(program: Command): string {
  const cases: string[] = []
  const walk = (command: Command, words: string[]) => {
    const subcommands = command.commands.map((c) => c.name())
    const options = command.options.map((o) => o.long).filter((o): o is string => Boolean(o))
    const key = words.join(' ')
    cases.push(`    "${key}") opts="${[...subcommands, ...options, '--help'].join(' ')}" ;;`)
    for (const sub of command.commands) walk(sub, [...words, sub.name()])
  }
  walk(program, [])
  return `# bash completion for offside: source <(offside completion bash)
_offside() {
  local cur words=() i opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) words+=("\${COMP_WORDS[i]}") ;; esac
  done
  local key="\${words[*]}"
  while :; do
    case "$key" in
${cases.join('\n')}
    *) if [[ "$key" == *" "* ]]; then key="\${key% *}"; else key=""; fi; continue ;;
    esac
    break
  done
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _offside offside
complete -F _offside ./scripts/offside
`
}
