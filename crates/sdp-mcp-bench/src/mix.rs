//! The tool-call mix (`--mix list=40,get=40,search=15,note=5`) and the
//! arguments each benchmarked tool is called with.

use std::fmt;
use std::str::FromStr;

use rand::Rng;
use serde_json::{Value, json};

/// A benchmarked tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tool {
    /// `list_requests`: one page of the portal's requests.
    List,
    /// `get_request`: one request by id.
    Get,
    /// `search_requests`: a text search in subjects and descriptions.
    Search,
    /// `add_note`: a write (one note on one request).
    Note,
}

impl Tool {
    /// Every tool, in report order.
    pub const ALL: [Tool; 4] = [Tool::List, Tool::Get, Tool::Search, Tool::Note];

    /// Index into [`Tool::ALL`].
    pub fn index(self) -> usize {
        match self {
            Tool::List => 0,
            Tool::Get => 1,
            Tool::Search => 2,
            Tool::Note => 3,
        }
    }

    /// The MCP tool name.
    pub fn mcp_name(self) -> &'static str {
        match self {
            Tool::List => "list_requests",
            Tool::Get => "get_request",
            Tool::Search => "search_requests",
            Tool::Note => "add_note",
        }
    }

    /// The short name used by `--mix`.
    pub fn short_name(self) -> &'static str {
        match self {
            Tool::List => "list",
            Tool::Get => "get",
            Tool::Search => "search",
            Tool::Note => "note",
        }
    }

    fn from_short(name: &str) -> Option<Tool> {
        Tool::ALL
            .into_iter()
            .find(|t| t.short_name() == name || t.mcp_name() == name)
    }

    /// Arguments for one call. `ids` are request ids of the session's portal
    /// (from its first `list_requests`); `seq` numbers the session's calls.
    pub fn arguments(self, rng: &mut impl Rng, ids: &[String], seq: u64) -> Value {
        const QUERIES: [&str; 6] = ["VPN", "printer", "Wi-Fi", "password", "laptop", "email"];
        let id_at = |index: usize| ids.get(index).map_or("0", String::as_str).to_owned();
        match self {
            Tool::List => json!({ "page": rng.random_range(1..=3), "page_size": 20 }),
            Tool::Get => json!({ "request_id": id_at(rng.random_range(0..ids.len().max(1))) }),
            Tool::Search => json!({ "query": QUERIES[rng.random_range(0..QUERIES.len())] }),
            // Notes go round-robin over the ids so no request collects them all.
            Tool::Note => json!({
                "request_id": id_at((seq % ids.len().max(1) as u64) as usize),
                "note": format!("sdp-mcp-bench note {seq}: load test, please ignore"),
            }),
        }
    }
}

/// Relative weights of the tools; at least one is positive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mix {
    weights: [u32; 4],
}

impl Default for Mix {
    fn default() -> Self {
        Self {
            weights: [40, 40, 15, 5],
        }
    }
}

impl Mix {
    /// The weight of `tool`.
    pub fn weight(&self, tool: Tool) -> u32 {
        self.weights[tool.index()]
    }

    /// The tools with a positive weight.
    pub fn tools(&self) -> impl Iterator<Item = Tool> + '_ {
        Tool::ALL.into_iter().filter(|t| self.weight(*t) > 0)
    }

    /// Draws a tool with probability proportional to its weight.
    pub fn pick(&self, rng: &mut impl Rng) -> Tool {
        let total: u32 = self.weights.iter().sum();
        let mut draw = rng.random_range(0..total.max(1));
        for tool in Tool::ALL {
            let weight = self.weight(tool);
            if draw < weight {
                return tool;
            }
            draw -= weight;
        }
        Tool::List
    }
}

impl FromStr for Mix {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut weights = [0_u32; 4];
        let mut seen = [false; 4];
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}`: expected NAME=WEIGHT, e.g. list=40"))?;
            let tool = Tool::from_short(name.trim())
                .ok_or_else(|| format!("`{name}`: unknown tool (use list, get, search or note)"))?;
            let weight: u32 = weight
                .trim()
                .parse()
                .map_err(|_| format!("`{part}`: the weight must be a whole number"))?;
            if std::mem::replace(&mut seen[tool.index()], true) {
                return Err(format!("`{name}` appears twice"));
            }
            weights[tool.index()] = weight;
        }
        if weights.iter().all(|w| *w == 0) {
            return Err("the mix needs at least one positive weight, e.g. list=1".to_owned());
        }
        Ok(Self { weights })
    }
}

impl fmt::Display for Mix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = Tool::ALL
            .into_iter()
            .map(|t| format!("{}={}", t.short_name(), self.weight(t)))
            .collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn parses_the_default_mix() {
        let mix: Mix = "list=40,get=40,search=15,note=5".parse().unwrap();
        assert_eq!(mix, Mix::default());
        assert_eq!(mix.to_string(), "list=40,get=40,search=15,note=5");
    }

    #[test]
    fn missing_tools_weigh_zero_and_full_names_work() {
        let mix: Mix = " get_request = 3 , list=1".parse().unwrap();
        assert_eq!(mix.weight(Tool::Get), 3);
        assert_eq!(mix.weight(Tool::Note), 0);
        assert_eq!(mix.tools().collect::<Vec<_>>(), vec![Tool::List, Tool::Get]);
    }

    #[test]
    fn rejects_bad_mixes() {
        for bad in [
            "",
            "list",
            "list=x",
            "delete=1",
            "list=0,get=0",
            "list=1,list=2",
        ] {
            assert!(bad.parse::<Mix>().is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn picks_in_proportion() {
        let mix: Mix = "list=3,note=1".parse().unwrap();
        let mut rng = StdRng::seed_from_u64(7);
        let mut counts = [0_u32; 4];
        for _ in 0..4000 {
            counts[mix.pick(&mut rng).index()] += 1;
        }
        assert_eq!(counts[Tool::Get.index()] + counts[Tool::Search.index()], 0);
        let list = counts[Tool::List.index()];
        assert!((2800..3200).contains(&list), "{counts:?}");
    }

    #[test]
    fn arguments_use_the_session_ids() {
        let mut rng = StdRng::seed_from_u64(1);
        let ids = vec!["11".to_owned(), "22".to_owned()];
        let get = Tool::Get.arguments(&mut rng, &ids, 0);
        assert!(ids.contains(&get["request_id"].as_str().unwrap().to_owned()));
        let note = Tool::Note.arguments(&mut rng, &ids, 3);
        assert_eq!(note["request_id"], "22");
        assert!(note["note"].as_str().unwrap().contains("note 3"));
        assert!(Tool::Search.arguments(&mut rng, &ids, 0)["query"].is_string());
        assert_eq!(Tool::List.arguments(&mut rng, &ids, 0)["page_size"], 20);
    }
}
