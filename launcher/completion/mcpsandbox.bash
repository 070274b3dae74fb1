# bash completion for mcpsandbox
_mcpsandbox() {
  local cur prev words cword
  _init_completion || return
  local commands="run doctor profile audit pin keys wrap unwrap scan"
  local i command="" sub=""
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      --) return 0 ;;  # after --: the server's own command line
      -*) ;;
      *) if [[ -z $command ]]; then command=${words[i]}; elif [[ -z $sub ]]; then sub=${words[i]}; fi ;;
    esac
  done
  case "$prev" in
    --profile) COMPREPLY=($(compgen -W "filesystem memory everything sequential-thinking git fetch sqlite node python static" -- "$cur") $(compgen -f -- "$cur")); return 0 ;;
    --ro | --rw | --project) _filedir -d; return 0 ;;
    --out | --pins | --audit-log | --key-file | --log-file | --scenario | --mcpb | --store) _filedir; return 0 ;;
    --network) COMPREPLY=($(compgen -W "none host" -- "$cur")); return 0 ;;
    --client) COMPREPLY=($(compgen -W "all claude-desktop claude-code cursor vscode windsurf" -- "$cur")); return 0 ;;
    --log-level) COMPREPLY=($(compgen -W "error warn info debug trace" -- "$cur")); return 0 ;;
    --require) COMPREPLY=($(compgen -W "hygiene namespaces landlock seccomp cgroups cgroup-bpf bpf-lsm" -- "$cur")); return 0 ;;
  esac
  local options=""
  case "$command" in
    "") COMPREPLY=($(compgen -W "$commands --log-level --log-file --help --version" -- "$cur")); return 0 ;;
    run) options="--profile --ro --rw --env --network --allow-net --require --audit-log --pins --key-file --call-scoped --trace --max-request-bytes --max-result-bytes --max-message-bytes --allow-wide-grant --allow-loader-env --grace --help" ;;
    profile)
      case "$sub" in
        "") COMPREPLY=($(compgen -W "check generate" -- "$cur")); return 0 ;;
        check) options="--ro --rw --help" ;;
        generate) options="--learn --scenario --out --pins --mcpb --user-config --ro --rw --env --network --allow-net --timeout --help" ;;
      esac ;;
    wrap | unwrap) options="--client --dry-run --json --project --help" ;;
    scan) options="--client --json --no-probe --timeout --project --help" ;;
    audit) [[ -z $sub ]] && { COMPREPLY=($(compgen -W "verify" -- "$cur")); return 0; }; options="--public-key" ;;
    pin) [[ -z $sub ]] && { COMPREPLY=($(compgen -W "approve keygen sign" -- "$cur")); return 0; }; options="--yes --key" ;;
    keys) [[ -z $sub ]] && { COMPREPLY=($(compgen -W "add list remove" -- "$cur")); return 0; }; options="--project --store" ;;
  esac
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$options" -- "$cur")); else _filedir; fi
}
complete -F _mcpsandbox mcpsandbox
