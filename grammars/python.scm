; Python shapes the imds-lint Python analyser acts on.
;
; Read by crates/rules/src/python/query.rs. The capture on the whole pattern
; (@import, @assign, @call ...) names the shape; the other captures are its
; parts. Rust does what a query cannot: resolving names, aliases, values,
; sessions and scopes.

; import requests / import urllib.request as ur
(import_statement) @import

; from urllib.request import urlopen, Request
(import_from_statement) @import

; NAME = value, NAME: str = value
(assignment
  left: (identifier) @target
  right: (_) @value) @assign

; (NAME := value)
(named_expression
  name: (identifier) @target
  value: (_) @value) @assign

; a, b = value
(assignment
  left: [(pattern_list) (tuple_pattern) (list_pattern)] @targets
  right: (_) @value) @unpack

; container[key] = value: header dicts, s.headers["X"] = ...
(assignment
  left: (subscript
    value: (_) @container
    subscript: (_) @key)
  right: (_) @value) @store_item

; object.attribute = value: self.url = ..., s.headers = {...}
(assignment
  left: (attribute
    object: (_) @object
    attribute: (identifier) @attribute)
  right: (_) @value) @store_attribute

; NAME += value
(augmented_assignment
  left: (identifier) @target
  operator: "+="
  right: (_) @value) @augment

; NAME -= value and the like, and names bound by loops: values the
; analyser does not know
(augmented_assignment
  left: (identifier) @targets
  operator: ["-=" "*=" "/=" "//=" "%=" "**=" ">>=" "<<=" "&=" "^=" "|=" "@="]) @forget
(for_statement
  left: (_) @targets) @forget
; del NAME, del container[key]
(delete_statement
  (_) @targets) @forget
; except E as NAME, case NAME: / case ... as NAME
(except_clause
  value: (as_pattern
    alias: (as_pattern_target
      (identifier) @targets))) @forget
(case_clause
  (case_pattern) @targets) @forget

; with EXPR as NAME, async with EXPR as NAME
(with_item
  value: (as_pattern
    (_) @value
    alias: (as_pattern_target
      (identifier) @target))) @assign

; global NAME
(global_statement) @global

; receiver.method(...): session.get(url), s.headers.update({...}),
; requests.get(url) (a module is a receiver too), c.setopt(...)
(call
  function: (attribute
    object: (_) @receiver
    attribute: (identifier) @method)
  arguments: (argument_list) @arguments) @call

; name(...): urlopen(url), get(url) after `from requests import get`,
; calls of the file's own functions
(call
  function: (identifier) @function
  arguments: (argument_list) @arguments) @call
