; Shapes the shell analyser takes from a cell (tree-sitter-bash 0.25).
;
; Matches are read in the order they are written, so that each command
; sees the variables assigned before it. Rust code reads a command's words
; (resolving variables, looking through sudo/timeout/env...) to tell a
; request from any other command: no query can see through `$CURL` or
; `sudo -u hdfs`.

; Every simple command: a request, a wrapper around one, a shell running
; more code (`sh -c '...'`, `bash <<EOF`), or `read`/`unset`.
(command) @command

; `NAME=value` alone, or after export, local, declare, readonly or
; typeset: a variable for the commands written after it. (Inside a
; command, `NAME=value curl ...`, it is that command's only.)
(variable_assignment) @assignment

; `for NAME in ...`: the loop variable takes the listed values in turn.
(for_statement) @loop

; Names in use anywhere, so that a fix's token variable does not clash.
(variable_name) @name
(function_definition
  name: (word) @name)

; `unset NAME`: the variable no longer holds what it was assigned.
(unset_command) @unset
