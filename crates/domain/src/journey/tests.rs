use super::*;

fn q(key: &str, kind: QuestionKind, options: &[&str]) -> Question {
    Question {
        key: key.to_owned(),
        label: key.replace('-', " "),
        help: String::new(),
        kind,
        required: false,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        images_only: false,
        show_if: None,
    }
}

fn when(question: &str, any_of: &[&str]) -> Condition {
    Condition {
        question: question.to_owned(),
        any_of: any_of.iter().map(|o| (*o).to_owned()).collect(),
    }
}

/// The source documents' "General Support" journey: the issue type branches to an order number
/// and photos, or to a product question.
fn support() -> Definition {
    let mut kind = q(
        "issue",
        QuestionKind::SingleChoice,
        &["Order issue", "Product question", "Refund", "Other"],
    );
    kind.required = true;
    let mut order = q("order", QuestionKind::OrderNumber, &[]);
    order.required = true;
    order.show_if = Some(when("issue", &["Order issue", "Refund"]));
    let mut photos = q("photos", QuestionKind::Upload, &[]);
    photos.images_only = true;
    photos.show_if = Some(when("issue", &["Order issue"]));
    let mut damage = q(
        "damage",
        QuestionKind::MultipleChoice,
        &["Box", "Item", "Missing"],
    );
    damage.show_if = Some(when("issue", &["Order issue"]));
    let mut product = q("product", QuestionKind::ShortText, &[]);
    product.show_if = Some(when("issue", &["Product question"]));
    let mut details = q("details", QuestionKind::LongText, &[]);
    details.required = true;
    Definition {
        name: "General Support".to_owned(),
        intro: String::new(),
        questions: vec![kind, order, photos, damage, product, details],
        rules: vec![
            Rule {
                when: when("issue", &["Order issue"]),
                category: Some("order".to_owned()),
                priority: None,
                tags: vec!["order-problem".to_owned()],
            },
            Rule {
                when: when("issue", &["Refund"]),
                category: Some("billing".to_owned()),
                priority: Some("high".to_owned()),
                tags: vec![],
            },
            Rule {
                when: when("damage", &["Item", "Missing"]),
                category: Some("product".to_owned()),
                priority: Some("high".to_owned()),
                tags: vec!["damaged".to_owned()],
            },
        ],
    }
}

fn raw(pairs: &[(&str, &[&str])]) -> RawAnswers {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
        .collect()
}

#[test]
fn the_sample_journey_is_well_formed() {
    assert_eq!(support().problems(), vec![]);
}

#[test]
fn conditions_look_back_at_choices_and_their_options() {
    let mut d = support();
    // Forward reference: the product question may not depend on a later one.
    d.questions[4].show_if = Some(when("details", &["x"]));
    d.questions[3].show_if = Some(when("issue", &["Lost parcel"]));
    d.questions[1].show_if = Some(when("nowhere", &["Refund"]));
    let places: Vec<String> = d.problems().iter().map(|p| p.place.to_string()).collect();
    assert_eq!(
        places,
        [
            "questions[1].show_if",
            "questions[3].show_if",
            "questions[4].show_if"
        ]
    );
    let p = d.problems();
    assert!(p[1].message.contains("no option \"Lost parcel\""), "{p:?}");
    assert!(p[2].message.contains("not an earlier question"), "{p:?}");
}

#[test]
fn malformed_questions_and_rules_are_named_where_they_are() {
    let mut d = support();
    d.name = " ".to_owned();
    d.questions[1].key = "issue".to_owned();
    d.questions[3].options = vec!["Box".to_owned()];
    d.questions[4].options = vec!["Nope".to_owned()];
    d.questions[5].images_only = true;
    d.rules[0].category = Some("shipping".to_owned());
    d.rules[1].when = when("details", &["x"]);
    d.rules[2].priority = None;
    d.rules[2].category = None;
    d.rules[2].tags = vec!["has space".to_owned()];
    let places: Vec<String> = d.problems().iter().map(|p| p.place.to_string()).collect();
    assert_eq!(
        places,
        [
            "name",
            "questions[1].key",
            "questions[3].options",
            "questions[4].options",
            "questions[5].images_only",
            "rules[0].category",
            "rules[1].when",
            // The options it names went with the shortened choice.
            "rules[2].when",
            "rules[2].tags",
        ]
    );
    let empty = Definition {
        name: "x".to_owned(),
        intro: String::new(),
        questions: vec![],
        rules: vec![],
    };
    assert_eq!(empty.problems()[0].place, Place::Questions);
}

#[test]
fn only_the_branch_taken_is_asked_and_answered() {
    let d = support();
    let keys =
        |r: &RawAnswers| -> Vec<String> { d.visible(r).iter().map(|q| q.key.clone()).collect() };
    assert_eq!(keys(&raw(&[])), ["issue", "details"]);
    assert_eq!(
        keys(&raw(&[("issue", &["order issue"])])),
        ["issue", "order", "photos", "damage", "details"]
    );
    assert_eq!(
        keys(&raw(&[("issue", &["Product question"])])),
        ["issue", "product", "details"]
    );
    // Answers to questions of another branch are dropped, not stored.
    let answers = d
        .answer(
            &raw(&[
                ("issue", &["Product question"]),
                ("order", &["1234"]),
                ("product", &["Kettle"]),
                ("details", &["It whistles\r\nloudly"]),
            ]),
            &BTreeMap::new(),
        )
        .unwrap();
    let keys: Vec<&str> = answers.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(keys, ["issue", "product", "details"]);
    assert_eq!(answers[2].values, ["It whistles\nloudly"]);
    assert_eq!(d.outcome(&answers), Outcome::default());
}

#[test]
fn required_and_typed_answers_are_checked_per_question() {
    let d = support();
    let problems = d
        .answer(
            &raw(&[
                ("issue", &["Order issue"]),
                ("order", &["12 34"]),
                ("damage", &["Lid"]),
            ]),
            &BTreeMap::new(),
        )
        .unwrap_err();
    let keys: Vec<&str> = problems.iter().map(|p| p.question.as_str()).collect();
    assert_eq!(keys, ["order", "damage", "details"]);
    let problems = d
        .answer(
            &raw(&[("issue", &["Order issue", "Refund"])]),
            &BTreeMap::new(),
        )
        .unwrap_err();
    assert_eq!(problems[0].message, "give one choice");
    let mut email = support();
    email
        .questions
        .push(q("reply-to", QuestionKind::Email, &[]));
    let bad = email
        .answer(
            &raw(&[
                ("issue", &["Other"]),
                ("details", &["x"]),
                ("reply-to", &["nobody"]),
            ]),
            &BTreeMap::new(),
        )
        .unwrap_err();
    assert_eq!(bad[0].question, "reply-to");
}

#[test]
fn answers_map_to_category_priority_and_tags() {
    let d = support();
    let files = BTreeMap::from([("photos".to_owned(), vec!["box.png".to_owned()])]);
    let answers = d
        .answer(
            &raw(&[
                ("issue", &["Order issue"]),
                ("order", &["#A-1001"]),
                ("damage", &["Missing", "Box"]),
                ("details", &["The lid was crushed"]),
            ]),
            &files,
        )
        .unwrap();
    // Chosen options keep the form's order.
    assert_eq!(answers[3].values, ["Box", "Missing"]);
    assert_eq!(answers[2].files, ["box.png"]);
    let out = d.outcome(&answers);
    // The first matching rule names the category; a later one still gives its priority.
    assert_eq!(out.category, Some(Category::Order));
    assert_eq!(out.priority, Some(Priority::High));
    assert_eq!(out.tags, ["order-problem", "damaged", "order:A-1001"]);
    let text = answers_text(&answers);
    assert_eq!(
        text,
        "issue: Order issue\norder: #A-1001\nphotos: box.png\ndamage: Box, Missing\ndetails\nThe lid was crushed"
    );
}

#[test]
fn a_required_upload_needs_a_file() {
    let mut d = support();
    d.questions[2].required = true;
    let problems = d
        .answer(
            &raw(&[
                ("issue", &["Order issue"]),
                ("order", &["1"]),
                ("details", &["x"]),
            ]),
            &BTreeMap::new(),
        )
        .unwrap_err();
    assert_eq!(problems[0].question, "photos");
    assert_eq!(problems[0].message, "attach at least one file");
}

#[test]
fn images_are_known_by_their_content_not_their_name() {
    let limits = FileLimits::default();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    assert_eq!(
        check_file(limits, 0, png, true, "text/plain").unwrap(),
        "image/png"
    );
    assert_eq!(
        check_file(limits, 0, b"<svg onload=alert(1)>", true, "image/png"),
        Err(FileProblem::NotAnImage)
    );
    // Elsewhere any file is taken, but never believed to be an image by its claim.
    assert_eq!(
        check_file(limits, 0, b"<svg onload=alert(1)>", false, "image/svg+xml").unwrap(),
        "application/octet-stream"
    );
    assert_eq!(
        check_file(limits, 0, b"%PDF-1.7", false, "application/pdf").unwrap(),
        "application/pdf"
    );
    assert_eq!(
        check_file(limits, 5, png, true, ""),
        Err(FileProblem::TooMany(5))
    );
    let big = vec![0xff; limits.max_bytes + 1];
    assert_eq!(
        check_file(limits, 0, &big, false, ""),
        Err(FileProblem::TooLarge(limits.max_bytes))
    );
    assert_eq!(
        check_file(limits, 0, b"", false, ""),
        Err(FileProblem::Empty)
    );
    assert_eq!(sniff_image(b"GIF89a...."), Some("image/gif"));
    assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
    assert_eq!(sniff_image(b"\0\0\0\x18ftypheic\0\0"), Some("image/heic"));
    assert_eq!(sniff_image(b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
}

#[test]
fn published_versions_never_change() {
    let now = chrono::Utc::now();
    let mut j = Journey {
        id: Uuid::nil(),
        version: 1,
        status: JourneyStatus::Draft,
        definition: support(),
        created_at: now,
        updated_at: now,
        published_at: None,
        archived_at: None,
    };
    assert!(j.may_edit().is_ok() && j.may_publish().is_ok());
    assert_eq!(j.may_archive(), Err(VersionError::NotActive));
    j.status = JourneyStatus::Active;
    assert_eq!(j.may_edit(), Err(VersionError::NotDraft));
    assert!(j.may_archive().is_ok());
    j.status = JourneyStatus::Archived;
    assert_eq!(j.may_publish(), Err(VersionError::Archived));
}

#[test]
fn keys_come_from_labels() {
    assert_eq!(
        key_from("What's your order number?"),
        "what-s-your-order-number"
    );
    assert_eq!(key_from("¿?"), "question");
    assert!(key_from(&"long ".repeat(30)).len() <= MAX_KEY_CHARS);
}

#[test]
fn definitions_read_the_wire_shape() {
    let d: Definition = serde_json::from_value(serde_json::json!({
        "name": "Returns",
        "questions": [
            {"key": "why", "label": "Why?", "kind": "single_choice", "required": true,
             "options": ["Too small", "Broken"]},
            {"key": "pics", "label": "Photos", "kind": "upload", "images_only": true,
             "show_if": {"question": "why", "any_of": ["Broken"]}}
        ],
        "rules": [{"when": {"question": "why", "any_of": ["Broken"]}, "priority": "high"}]
    }))
    .unwrap();
    assert_eq!(d.problems(), vec![]);
    assert_eq!(d.questions[1].kind, QuestionKind::Upload);
}
