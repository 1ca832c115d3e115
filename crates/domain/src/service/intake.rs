//! A request opened through the active intake form: the answers checked against the form, the
//! files against their questions, the mapping applied, and the answers kept with the ticket.

use std::collections::BTreeMap;

use super::Helpdesk;
use super::open::{NewTicket, OpenError};
use crate::journey::{
    AnswerProblem, FileLimits, IntakeRecord, Journey, JourneyStatus, QuestionKind, RawAnswers,
    answers_text, check_file,
};
use crate::ports::{Committed, OutboundAttachment};

/// A file posted for one upload question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormFile {
    /// The key of the upload question.
    pub question: String,
    /// As posted: the browser's name (made safe) and its claimed type.
    pub file: OutboundAttachment,
}

/// Why a request could not be opened through a form. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// Another version was published (or the form retired) while the customer was answering.
    #[error("the form changed while you were answering; please check your answers")]
    NotActive,
    #[error("{} answers need another look", .0.len())]
    Answers(Vec<AnswerProblem>),
    #[error(transparent)]
    Open(#[from] OpenError),
}

impl Helpdesk {
    /// Opens `new` with the answers to `form` (the active version): only the questions the
    /// answers lead to count; each file is checked against its question (images by content);
    /// the form's rules set the category, priority and tags; the first message is `new.body`
    /// (when given) followed by the answers; the answers are stored with the ticket, naming the
    /// version.
    ///
    /// # Errors
    /// [`FormError::NotActive`] when `form` is not the active version, [`FormError::Answers`]
    /// with every answer (or file) that does not fit, and [`FormError::Open`] as
    /// [`Helpdesk::open`].
    pub async fn open_with_form(
        &self,
        mut new: NewTicket,
        form: &Journey,
        raw: &RawAnswers,
        files: Vec<FormFile>,
        limits: FileLimits,
    ) -> Result<Committed, FormError> {
        if form.status != JourneyStatus::Active {
            return Err(FormError::NotActive);
        }
        let definition = &form.definition;
        let visible: Vec<&str> = definition
            .visible(raw)
            .iter()
            .filter(|q| q.kind == QuestionKind::Upload)
            .map(|q| q.key.as_str())
            .collect();
        let mut problems = Vec::new();
        let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut kept = Vec::new();
        for FormFile { question, mut file } in files {
            // A file for a question the answers do not lead to is dropped with that branch.
            let Some(q) = definition
                .question(&question)
                .filter(|q| visible.contains(&q.key.as_str()))
            else {
                continue;
            };
            match check_file(
                limits,
                kept.len(),
                &file.content,
                q.images_only,
                &file.content_type,
            ) {
                Ok(content_type) => {
                    file.content_type = content_type;
                    names
                        .entry(question)
                        .or_default()
                        .push(file.filename.clone());
                    kept.push(file);
                }
                Err(e) => {
                    if !problems
                        .iter()
                        .any(|p: &AnswerProblem| p.question == question)
                    {
                        problems.push(AnswerProblem {
                            question,
                            message: format!("{}: {e}", file.filename),
                        });
                    }
                }
            }
        }
        let answers = match definition.answer(raw, &names) {
            Ok(answers) if problems.is_empty() => answers,
            Ok(_) => return Err(FormError::Answers(problems)),
            Err(more) => {
                // In the form's order, each question once.
                for p in more {
                    if !problems.iter().any(|o| o.question == p.question) {
                        problems.push(p);
                    }
                }
                let order = |key: &str| definition.questions.iter().position(|q| q.key == key);
                problems.sort_by_key(|p| order(&p.question));
                return Err(FormError::Answers(problems));
            }
        };
        let outcome = definition.outcome(&answers);
        new.category = outcome.category.or(new.category);
        new.priority = outcome.priority.or(new.priority);
        for tag in outcome.tags {
            if !new.tags.contains(&tag) {
                new.tags.push(tag);
            }
        }
        let text = answers_text(&answers);
        new.body = match (new.body.trim().is_empty(), text.is_empty()) {
            (true, true) => new.subject.clone(),
            (true, false) => text,
            (false, true) => new.body,
            (false, false) => format!("{}\n\n{text}", new.body.trim_end()),
        };
        let record = IntakeRecord {
            journey_id: form.id,
            version: form.version,
            name: definition.name.trim().to_owned(),
            answers,
        };
        Ok(self.open_following(new, None, Some(record), &kept).await?)
    }
}
