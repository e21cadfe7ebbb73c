//! Tests of the pattern reader: every construct it takes, and the
//! position and wording of every kind of error.

use super::element::{Element, Form, Kind, Predicate};
use super::error::PatternError;
use super::read::{read, Read};
use crate::{syntax, Lang};

fn python(text: &str) -> Result<Read, PatternError> {
    read(&syntax::language(Lang::Python).unwrap(), text)
}

/// The error for `text`, as (line, column, message).
fn error(text: &str) -> (usize, usize, String) {
    match python(text) {
        Ok(_) => panic!("{text:?} was read"),
        Err(e) => (e.line, e.column, e.problem.to_string()),
    }
}

fn children(element: &Element) -> &[Element] {
    match &element.form {
        Form::Node { children, .. } => children,
        Form::Choice(_) => panic!("a choice"),
    }
}

#[test]
fn reads_every_construct() {
    let read = python(
        "; a comment\n\
         (assignment ; another\n  left: (identifier) @target @name\n  right: (_) @value) @assign\n\
         (augmented_assignment operator: [\"+=\" \"-=\"])\n\
         (call arguments: (argument_list . (_) @first)\n  (#eq? @first \"x\")) @call\n\
         (call function: [(identifier) (attribute)] @f (#any-of? @f \"a\" \"b\\\"c\"))\n",
    )
    .unwrap();
    assert_eq!(
        read.capture_names,
        ["target", "name", "value", "assign", "first", "call", "f"]
    );
    assert_eq!(read.patterns.len(), 4);

    let assignment = &read.patterns[0].root;
    assert_eq!(assignment.captures, [3]);
    let [left, right] = children(assignment) else {
        panic!("two children")
    };
    assert!(left.field.is_some() && left.field != right.field);
    assert_eq!(left.captures, [0, 1]);
    assert!(matches!(
        right.form,
        Form::Node {
            kind: Kind::AnyNamed,
            ..
        }
    ));

    let operator = &children(&read.patterns[1].root)[0];
    let Form::Choice(tokens) = &operator.form else {
        panic!("a choice")
    };
    assert_eq!(tokens.len(), 2);

    // Predicates sit on the elements whose captures they test.
    let arguments = &children(&read.patterns[2].root)[0];
    let first = &children(arguments)[0];
    assert!(first.anchored);
    assert!(!arguments.anchored);
    assert_eq!(
        first.checks,
        [Predicate::Eq {
            capture: 4,
            text: "x".to_owned()
        }]
    );
    assert!(read.patterns[2].root.checks.is_empty());
    let function = &children(&read.patterns[3].root)[0];
    assert_eq!(
        function.checks,
        [Predicate::AnyOf {
            capture: 6,
            texts: vec!["a".to_owned(), "b\"c".to_owned()]
        }]
    );
}

#[test]
fn an_empty_file_has_no_patterns() {
    assert!(python("; nothing\n\n").unwrap().patterns.is_empty());
}

#[test]
fn names_the_grammar_does_not_have_are_errors_with_their_position() {
    assert_eq!(
        error("(call)\n  (cal)"),
        (2, 4, "the grammar has no node kind `cal`".to_owned())
    );
    assert_eq!(
        error("(call functio: (_))"),
        (1, 7, "the grammar has no field `functio`".to_owned())
    );
    assert_eq!(
        error("(augmented_assignment \"=+\")"),
        (1, 23, "the grammar has no anonymous node \"=+\"".to_owned())
    );
    assert_eq!(
        error("(call (_) @a (#eq? @b \"x\"))"),
        (
            1,
            20,
            "capture @b is not defined in this pattern".to_owned()
        )
    );
}

#[test]
fn syntax_errors_say_where() {
    assert_eq!(
        error("(call\n  (identifier)"),
        (2, 15, "expected `)`, found end of file".to_owned())
    );
    assert_eq!(error("(call \"(\n"), (1, 7, "string not closed".to_owned()));
    assert_eq!(
        error("call"),
        (1, 1, "expected a pattern, found `call`".to_owned())
    );
    assert_eq!(
        error("(call [])"),
        (1, 8, "expected a pattern, found `]`".to_owned())
    );
    assert_eq!(
        error("(call (#eq? @x))").2,
        "#eq? takes a capture and one string"
    );
    assert_eq!(
        error("(call (_) @x (#any-of? @x))").2,
        "#any-of? takes a capture and one or more strings"
    );
    assert_eq!(
        error("(call (_) @x (#eq? \"a\" @x))"),
        (1, 20, "#eq? takes a capture and one string".to_owned())
    );
    assert_eq!(
        error("(call (_) @x (#eq? @x \"a\" 1))"),
        (
            1,
            27,
            "expected a capture, a string or `)`, found `1`".to_owned()
        )
    );
}

#[test]
fn constructs_not_taken_are_refused_not_skipped() {
    let refused = [
        ("(call (_) @x (#match? @x \"a\"))", 1, 15, "#match?"),
        ("(call (_) @x (#not-eq? @x \"a\"))", 1, 15, "#not-eq?"),
        ("(call (_)* @x)", 1, 10, "quantifier"),
        ("(call !function)", 1, 7, "negated field"),
        ("(call _)", 1, 7, "`_`"),
        ("(call ((_) (_)))", 1, 8, "group"),
        ("(call (_) .)", 1, 11, "anchor"),
        ("(call (_) . (_))", 1, 11, "anchor"),
        ("(_) @any", 1, 1, "`(_)` as a pattern's root"),
        (
            "[(call) (attribute)]",
            1,
            1,
            "alternation as a pattern's root",
        ),
        ("(#eq? @a \"b\")", 1, 1, "predicate outside"),
        ("function: (call)", 1, 1, "field on a pattern's root"),
        ("(call (expression))", 1, 8, "supertype `expression`"),
        ("(call (expression/identifier))", 1, 18, "subtype"),
        ("(ERROR)", 1, 1, "`ERROR` as a pattern's root"),
    ];
    for (text, line, column, what) in refused {
        let (l, c, message) = error(text);
        assert!(
            message.contains(what) && message.contains("not supported"),
            "{text}: {message}"
        );
        assert_eq!((l, c), (line, column), "{text}: {message}");
    }
}

#[test]
fn the_grammar_files_read() {
    let files = [
        (
            Lang::Python,
            include_str!("../../../../grammars/python.scm"),
        ),
        (Lang::Shell, include_str!("../../../../grammars/bash.scm")),
        (Lang::Scala, include_str!("../../../../grammars/scala.scm")),
    ];
    for (lang, text) in files {
        let read = read(&syntax::language(lang).unwrap(), text).unwrap();
        assert!(read.patterns.len() >= 5, "{lang:?}");
    }
}
