; Call shapes of HTTP requests in Scala, for imds-lint (tree-sitter-scala 0.26).
;
; The outer capture names the shape; the analyser decides what the receiver
; is (an import alias, a val holding a URL or a connection) and resolves the
; values. Captures starting with `_` only serve predicates.

; Source.fromURL(url), scala.io.Source.fromURL(url), S.fromURL(url) under an
; import alias; the `(url)(codec)` form is the inner call.
(call_expression
  function: (field_expression
    value: (_) @receiver
    field: (identifier) @_method (#eq? @_method "fromURL"))
  arguments: (arguments . (_) @url)) @from_url

; fromURL(url) after `import scala.io.Source._` or `import scala.io.Source.fromURL`.
(call_expression
  function: (identifier) @receiver (#eq? @receiver "fromURL")
  arguments: (arguments . (_) @url)) @from_url

; url.openStream() and url.openConnection(), with or without parentheses.
(field_expression
  value: (_) @target
  field: (identifier) @method (#any-of? @method "openStream" "openConnection")) @open

; Settings on a URLConnection: headers and the method.
(call_expression
  function: (field_expression
    value: (_) @connection
    field: (identifier) @method
    (#any-of? @method "setRequestProperty" "addRequestProperty" "setRequestMethod"))
  arguments: (arguments) @arguments) @connection_setting

; HttpRequest.newBuilder() and HttpRequest.newBuilder(uri): the start of a
; builder chain (`.uri(...).header(...).GET().build()`).
(call_expression
  function: (field_expression
    value: (_) @receiver
    field: (identifier) @_method (#eq? @_method "newBuilder"))
  arguments: (arguments) @arguments) @new_builder

; A step on a builder held in a val: `b.header(name, value)`.
(field_expression
  value: (identifier) @builder
  field: (identifier) @_step
  (#any-of? @_step "uri" "header" "headers" "setHeader" "GET" "PUT" "POST" "DELETE" "method")) @builder_step

; scala.sys.process: running a command (`cmd.!`, `cmd.!!`, `cmd.lineStream`,
; `cmd.run()`), where cmd is a string, a Seq of words or a Process(...).
(field_expression
  value: (_) @command
  field: (operator_identifier) @_run (#any-of? @_run "!" "!!" "!<" "!!<")) @process_run

(field_expression
  value: (_) @command
  field: (identifier) @_run
  (#any-of? @_run "lineStream" "lineStream_!" "lazyLines" "lazyLines_!" "run")) @process_run

; `cmd !!` in postfix notation.
(postfix_expression
  (_) @command
  (operator_identifier) @_run (#any-of? @_run "!" "!!" "!<" "!!<")) @process_run

; `cmd !` at the end of a line followed by another statement: the grammar
; reads it as an infix expression with the next line; scalac does not.
(infix_expression
  left: (_) @command
  operator: (operator_identifier) @_run (#any-of? @_run "!" "!!")) @process_run_infix

; dbutils.fs.put(path, contents, overwrite): a file a notebook writes, as
; cluster init scripts were made; the analyser reads the contents as shell
; code when the file is a shell script.
(call_expression
  function: (field_expression
    value: (field_expression
      value: (identifier) @_dbutils (#eq? @_dbutils "dbutils")
      field: (identifier) @_fs (#eq? @_fs "fs"))
    field: (identifier) @_put (#eq? @_put "put"))
  arguments: (arguments) @arguments) @write_file
