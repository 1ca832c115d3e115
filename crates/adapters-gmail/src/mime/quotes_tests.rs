//! Tests of quoted-reply stripping, one per client format.

use super::strip_quoted;

fn new_part(text: &str) -> String {
    strip_quoted(text).unwrap_or_else(|| panic!("expected quoted history in {text:?}"))
}

const QUOTE: &str = "> Have you tried restarting the router?\n>\n> Best,\n> Support\n";

#[test]
fn gmail_attribution_cuts_the_history() {
    let mail = format!(
        "Thanks, that fixed it.\n\nOn Tue, Mar 4, 2025 at 10:12 AM Jane Doe \
         <jane@example.com> wrote:\n\n{QUOTE}"
    );
    assert_eq!(new_part(&mail), "Thanks, that fixed it.");
}

#[test]
fn gmail_attribution_wrapped_over_two_lines_cuts_the_history() {
    let mail = format!(
        "Still broken.\n\nOn Tue, Mar 4, 2025 at 10:12 AM Jane Doe <jane.doe@example.com>\n\
         wrote:\n\n{QUOTE}"
    );
    assert_eq!(new_part(&mail), "Still broken.");
}

#[test]
fn gmail_attribution_wrapped_over_three_lines_cuts_the_history() {
    let mail = format!(
        "Still broken.\n\nOn Tue, Mar 4, 2025 at 10:12 AM Support Team of a Long Company\n\
         Name <\nsupport@long-company-name.example.com> wrote:\n\n{QUOTE}"
    );
    assert_eq!(new_part(&mail), "Still broken.");
}

#[test]
fn gmail_attribution_followed_by_unquoted_history_still_cuts() {
    let mail = "Thanks!\n\nOn Tue, Mar 4, 2025 at 10:12 AM Jane Doe <jane@example.com> \
                wrote:\nHave you tried restarting the router?\n";
    assert_eq!(new_part(mail), "Thanks!");
}

#[test]
fn german_attribution_cuts_the_history() {
    let mail = format!(
        "Danke, jetzt geht es.\n\nAm 04.03.2025 um 10:12 schrieb Jane Doe \
         <jane@example.com>:\n{QUOTE}"
    );
    assert_eq!(new_part(&mail), "Danke, jetzt geht es.");
    let gmail = format!(
        "Danke!\n\nAm Di., 4. März 2025 um 10:12 Uhr schrieb Jane Doe <\n\
         jane@example.com>:\n\n{QUOTE}"
    );
    assert_eq!(new_part(&gmail), "Danke!");
}

#[test]
fn french_attribution_cuts_the_history() {
    let mail = format!(
        "Merci, c'est réglé.\n\nLe mar. 4 mars 2025 à 10:12, Jane <jane@example.com> \
         a écrit :\n\n{QUOTE}"
    );
    assert_eq!(new_part(&mail), "Merci, c'est réglé.");
}

#[test]
fn spanish_attribution_cuts_the_history() {
    let mail = format!(
        "Gracias, ya funciona.\n\nEl mar, 4 mar 2025 a las 10:12, Jane \
         (<jane@example.com>) escribió:\n\n{QUOTE}"
    );
    assert_eq!(new_part(&mail), "Gracias, ya funciona.");
}

#[test]
fn dutch_attribution_cuts_the_history() {
    let mail = format!(
        "Bedankt, het werkt.\n\nOp di 4 mrt 2025 om 10:12 schreef Jane Doe \
         <jane@example.com>:\n\n{QUOTE}"
    );
    assert_eq!(new_part(&mail), "Bedankt, het werkt.");
}

#[test]
fn outlook_original_message_cuts_the_history() {
    for separator in [
        "-----Original Message-----",
        "----- Original Message -----",
        "-----Ursprüngliche Nachricht-----",
        "-----Message d'origine-----",
    ] {
        let mail = format!(
            "Please cancel the order.\r\n\r\n{separator}\r\nFrom: Support \
             <help@example.com>\r\nSent: Tuesday, March 4, 2025 10:12 AM\r\nTo: Jane\r\n\
             Subject: Your order\r\n\r\nYour order shipped.\r\n"
        );
        assert_eq!(new_part(&mail), "Please cancel the order.", "{separator}");
    }
}

#[test]
fn outlook_header_block_after_underscores_cuts_at_the_underscores() {
    let mail = "Please call me back.\n\nJane Doe\nACME Ltd\n\n\
                ________________________________\nFrom: Support <help@example.com>\n\
                Sent: Tuesday, March 4, 2025 10:12 AM\nTo: Jane Doe <jane@example.com>\n\
                Subject: RE: Ticket 4411\n\nHello Jane, ...\n";
    assert_eq!(new_part(mail), "Please call me back.\n\nJane Doe\nACME Ltd");
}

#[test]
fn bold_outlook_header_block_cuts_the_history() {
    let mail = "Ok.\n\n*From:* Support <help@example.com>\n*Sent:* Tuesday, March 4, \
                2025 10:12 AM\n*To:* Jane\n*Subject:* Ticket\n\nHello\n";
    assert_eq!(new_part(mail), "Ok.");
}

#[test]
fn french_outlook_header_block_cuts_the_history() {
    let mail = "Merci.\n\nDe : Support <help@example.com>\nEnvoyé : mardi 4 mars 2025 \
                10:12\nÀ : Jane <jane@example.com>\nObjet : Commande\n\nBonjour\n";
    assert_eq!(new_part(mail), "Merci.");
}

#[test]
fn german_outlook_header_block_cuts_the_history() {
    let mail = "Danke.\n\nVon: Support <help@example.com>\nGesendet: Dienstag, 4. März \
                2025 10:12\nAn: Jane <jane@example.com>\nBetreff: Bestellung\n\nHallo\n";
    assert_eq!(new_part(mail), "Danke.");
}

#[test]
fn apple_mail_attribution_cuts_the_history() {
    let mail = format!(
        "Works now.\n\nSent from my iPhone\n\nOn 4 Mar 2025, at 10:12, Jane Doe \
         <jane@example.com> wrote:\n\n{QUOTE}"
    );
    assert_eq!(new_part(&mail), "Works now.\n\nSent from my iPhone");
}

#[test]
fn thunderbird_attribution_cuts_the_history() {
    let mail = format!("Works now.\n\nOn 04/03/2025 10:12, Jane Doe wrote:\n{QUOTE}");
    assert_eq!(new_part(&mail), "Works now.");
}

#[test]
fn yahoo_attribution_cuts_the_history_with_its_dashes() {
    let attribution = "On Tuesday, March 4, 2025, 10:12:00 AM GMT+1, Jane Doe \
                       <jane@example.com> wrote:";
    let plain = format!("Great, thanks.\n\n\n{attribution}\n\n\n{QUOTE}");
    assert_eq!(new_part(&plain), "Great, thanks.");
    let dashed = format!("Great, thanks.\n\n-----\n\n{attribution}\n\nYour order shipped.\n");
    assert_eq!(new_part(&dashed), "Great, thanks.");
}

#[test]
fn android_dashed_attribution_cuts_the_history() {
    let mail = format!("Ok.\n\n---- Jane Doe wrote ----\n\n{QUOTE}");
    assert_eq!(new_part(&mail), "Ok.");
}

#[test]
fn crlf_input_is_handled_like_lf() {
    let mail = "Line one.\r\nLine two.\r\n\r\nOn Tue, Mar 4, 2025 at 10:12 AM Jane \
                <jane@example.com> wrote:\r\n\r\n> Quoted\r\n> text\r\n";
    assert_eq!(new_part(mail), "Line one.\nLine two.");
    assert_eq!(
        new_part(&mail.replace("\r\n", "\n")),
        "Line one.\nLine two."
    );
}

#[test]
fn trailing_quote_block_is_stripped() {
    let mail = "Yes, please go ahead.\n\n> Shall we refund the order?\n>\n> Support\n\n";
    assert_eq!(new_part(mail), "Yes, please go ahead.");
}

#[test]
fn trailing_quote_takes_an_unknown_language_attribution_along() {
    let mail = "Спасибо\n02.04.2025 14:20 пользователь \"jane@example.com\" <\n\
                jane@example.com> написал:\n\n> Hi\n";
    assert_eq!(new_part(mail), "Спасибо");
}

#[test]
fn interleaved_replies_are_kept_whole() {
    let mail = "Hi,\n\n> Which model do you have?\nThe X200.\n\n> Since when?\n\
                Since Monday.\n\n> Is it plugged in?\n";
    assert_eq!(strip_quoted(mail), None);
}

#[test]
fn interleaved_reply_still_cuts_at_an_attribution_below() {
    let mail = format!(
        "> Which model?\nThe X200.\n\nOn Tue, Mar 4, 2025 at 10:12 AM Jane Doe \
         <jane@example.com> wrote:\n{QUOTE}"
    );
    assert_eq!(new_part(&mail), "> Which model?\nThe X200.");
}

#[test]
fn sentences_mentioning_wrote_are_kept() {
    let mails = [
        "Hi, my colleague wrote: the order is late. Please check.\n",
        "On Monday my colleague wrote:\nthe order is late.\n",
        "On 3 March my colleague wrote:\nthe order is late, please check.\n",
        "On 3 March at 10:30 my colleague wrote:\nthe order is late, please check.\n",
        "Hello,\nAs Jane wrote on 4 March, 10:12:\nwe need a refund.\n",
    ];
    for mail in mails {
        assert_eq!(strip_quoted(mail), None, "{mail}");
    }
}

#[test]
fn from_line_alone_is_not_a_header_block() {
    let mails = [
        "Hi,\nFrom: my phone\nI cannot log in.\n",
        "Hi,\n\nFrom: Jane Doe\nTo: Support\n\nPlease help.\n",
        "From: Jane\nSubject: invoice\nSent: yesterday\n",
    ];
    assert_eq!(strip_quoted(mails[0]), None);
    assert_eq!(strip_quoted(mails[1]), None);
    // A full header block at the very top leaves no new part: kept whole as well.
    assert_eq!(strip_quoted(mails[2]), None);
}

#[test]
fn signature_is_kept() {
    let mail = format!(
        "Thanks!\n\n-- \nJane Doe\nACME Ltd\n\nOn Tue, Mar 4, 2025 at 10:12 AM Support \
         <help@example.com> wrote:\n{QUOTE}"
    );
    assert_eq!(new_part(&mail), "Thanks!\n\n-- \nJane Doe\nACME Ltd");
    assert_eq!(strip_quoted("Thanks!\n\n-- \nJane Doe\n"), None);
}

#[test]
fn empty_new_part_returns_none() {
    let forward = "---------- Forwarded message ---------\nFrom: Shop <shop@example.com>\n\
                   Date: Tue, Mar 4, 2025 at 10:12 AM\nSubject: Invoice\nTo: Jane\n\nHi\n";
    assert_eq!(strip_quoted(forward), None);
    let only_history = format!("\n\nOn 04/03/2025 10:12, Jane Doe wrote:\n{QUOTE}");
    assert_eq!(strip_quoted(&only_history), None);
    assert_eq!(strip_quoted(QUOTE), None);
}

#[test]
fn forwarded_mail_with_a_comment_is_kept_whole() {
    let mail = "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Shop \
                <shop@example.com>\nDate: Tue, Mar 4, 2025 at 10:12 AM\nSubject: Invoice\n\
                To: Jane\n\nHi\n";
    assert_eq!(strip_quoted(mail), None);
}

#[test]
fn message_without_history_returns_none() {
    assert_eq!(
        strip_quoted("Hello,\n\nmy order 4411 has not arrived.\n\nJane\n"),
        None
    );
    assert_eq!(strip_quoted(""), None);
    assert_eq!(strip_quoted(" \r\n\t\n  "), None);
    assert_eq!(strip_quoted("\r\r>\r:"), None);
}

#[test]
fn non_ascii_text_is_preserved() {
    let mail = "Grüße aus Köln — 🚚 kommt morgen?\n\n> Ihre Bestellung ist unterwegs.\n";
    assert_eq!(new_part(mail), "Grüße aus Köln — 🚚 kommt morgen?");
}

#[test]
fn five_megabyte_input_finishes_quickly() {
    let mut mail = String::from("Thanks.\n\n");
    while mail.len() < 5_000_000 {
        mail.push_str("On 4 March 10:12 we spoke, From: x\n> quoted line\n\n");
    }
    assert!(strip_quoted(&mail).is_none());
    let long_line = format!("Hi {}\n\n{QUOTE}", "ä:>".repeat(1_700_000));
    assert!(strip_quoted(&long_line).is_some());
    let history = format!(
        "Hi\n\nOn 04/03/2025 10:12, Jane wrote:\n{}",
        QUOTE.repeat(80_000)
    );
    assert_eq!(strip_quoted(&history).as_deref(), Some("Hi"));
}

#[test]
fn random_inputs_never_panic() {
    const ALPHABET: &[&str] = &[
        ">",
        "\r",
        "\n",
        ":",
        " ",
        "-",
        "_",
        "@",
        "<",
        "*",
        "O",
        "n",
        "A",
        "m",
        "w",
        "r",
        "o",
        "t",
        "e",
        "1",
        "2",
        "0",
        "é",
        "ü",
        "→",
        "🚚",
        "On ",
        " wrote:",
        "From: ",
        "Sent: ",
        "To: ",
        "-----Original Message-----",
        "schrieb ",
        "\u{a0}",
        "\t",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..4_000 {
        let len = next() % 200;
        let text: String = (0..len)
            .filter_map(|_| {
                ALPHABET
                    .get(usize::try_from(next() % 35).unwrap_or(0))
                    .copied()
            })
            .collect();
        if let Some(new_part) = strip_quoted(&text) {
            assert!(!new_part.is_empty());
            assert_eq!(new_part, new_part.trim());
        }
    }
}
