//! The domain's settings built from the configuration: classifier, SLA, acknowledgement, AI
//! mode, assignment, intake limits, sender lists.

use super::*;

impl Config {
    /// # Errors
    /// [`ConfigError::Invalid`] for an unknown mode.
    pub fn ai_mode(&self) -> Result<AiMode, ConfigError> {
        match self.ai.mode.as_str() {
            "off" => Ok(AiMode::Off),
            "draft" => Ok(AiMode::Draft),
            "auto" => Ok(AiMode::Auto),
            other => Err(invalid(
                "ai.mode",
                format!("must be off, draft or auto, not `{other}`"),
            )),
        }
    }

    /// The domain's settings: classifier, SLA policies, acknowledgement, AI mode, assignment.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for keyword tables, SLA policies or names that do not build.
    pub fn helpdesk_settings(&self) -> Result<Settings, ConfigError> {
        let mut settings = Settings::new(&self.support_address()?);
        settings.classifier =
            Classifier::new(&self.classify).map_err(|e| invalid("classify", e))?;
        settings.sla = self.sla.build().map_err(|e| invalid("sla", e))?.into();
        settings.auto_acknowledgement = self.helpdesk.acknowledge.then(|| {
            self.helpdesk
                .acknowledgement
                .clone()
                .map_or_else(AutoAcknowledgement::default, |body| AutoAcknowledgement {
                    body,
                })
        });
        settings.ai_mode = self.ai_mode()?;
        settings.auto_send = AutoSendPolicy {
            min_confidence: self.ai.auto_send_threshold,
            effect: self.ai.auto_reply,
            ..AutoSendPolicy::default()
        };
        settings.auto_close_after = TimeDelta::days(i64::from(self.helpdesk.auto_close_days));
        settings.assignment = match self.helpdesk.assignment.as_str() {
            "round_robin" => Strategy::RoundRobin,
            "least_loaded" => Strategy::LeastLoaded,
            other => {
                return Err(invalid(
                    "helpdesk.assignment",
                    format!("must be round_robin or least_loaded, not `{other}`"),
                ));
            }
        };
        settings.max_open_per_agent = self.helpdesk.max_open_per_agent;
        let limit = |n: u32| (n > 0).then_some(n);
        settings.intake_limits = IntakeLimits {
            tickets_per_sender: limit(self.helpdesk.tickets_per_sender_per_hour),
            ai_jobs_per_sender: limit(self.helpdesk.ai_jobs_per_sender_per_hour),
            acknowledgements_per_domain: limit(self.helpdesk.acknowledgements_per_domain_per_hour),
        };
        settings
            .trusted_authserv_ids
            .clone_from(&self.helpdesk.trusted_authserv_ids);
        settings.sender_filters.replace(self.sender_filters()?);
        settings.public_url = self.public_url();
        Ok(settings)
    }

    /// The allow and deny lists of `[helpdesk]`.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the first pattern that is not one.
    pub fn sender_filters(&self) -> Result<SenderFilters, ConfigError> {
        let list = |key: &str, raw: &[String]| {
            raw.iter()
                .map(|p| SenderPattern::parse(p).map_err(|e| invalid(key, e)))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(SenderFilters {
            allow: list("helpdesk.allow_senders", &self.helpdesk.allow_senders)?,
            deny: list("helpdesk.deny_senders", &self.helpdesk.deny_senders)?,
        })
    }
}
