//! Frameworks, competencies and providers in SQL.

use super::StoreError;
use crate::catalog::{Competency, CompetencyRef, Framework, Frameworks, Known, Provider};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// All frameworks with their trees, in the order they were first imported.
pub(crate) fn read_frameworks(connection: &Connection) -> Result<Frameworks, StoreError> {
    let mut frameworks: Vec<Framework> = connection
        .prepare("SELECT id, name, publisher, url FROM frameworks ORDER BY position, id")?
        .query_map([], |row| {
            Ok(Framework {
                id: row.get(0)?,
                name: row.get(1)?,
                publisher: row.get(2)?,
                url: row.get(3)?,
                competencies: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    // (framework, parent) → children in order; then build each tree from its roots down.
    let mut children: HashMap<(String, Option<String>), Vec<Competency>> = HashMap::new();
    let mut statement = connection.prepare(
        "SELECT framework, parent_code, code, title, description FROM competencies ORDER BY framework, position",
    )?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let competency = Competency {
            code: row.get(2)?,
            title: row.get(3)?,
            description: row.get(4)?,
            children: Vec::new(),
        };
        children
            .entry((row.get(0)?, row.get(1)?))
            .or_default()
            .push(competency);
    }
    fn attach(
        framework: &str,
        list: &mut [Competency],
        children: &mut HashMap<(String, Option<String>), Vec<Competency>>,
    ) {
        for competency in list {
            let key = (framework.to_owned(), Some(competency.code.clone()));
            competency.children = children.remove(&key).unwrap_or_default();
            attach(framework, &mut competency.children, children);
        }
    }
    for framework in &mut frameworks {
        framework.competencies = children
            .remove(&(framework.id.clone(), None))
            .unwrap_or_default();
        attach(&framework.id, &mut framework.competencies, &mut children);
    }
    Ok(Frameworks { frameworks })
}

/// What references may point at in the catalog as it stands.
pub(crate) fn read_known(connection: &Connection) -> Result<Known, StoreError> {
    let strings = |sql: &str| -> Result<Vec<String>, StoreError> {
        Ok(connection
            .prepare(sql)?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?)
    };
    let competencies = connection
        .prepare("SELECT framework, code FROM competencies")?
        .query_map([], |row| {
            Ok(CompetencyRef {
                framework: row.get(0)?,
                code: row.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Known {
        providers: strings("SELECT id FROM providers")?.into_iter().collect(),
        competencies,
        offerings: strings("SELECT id FROM offerings")?.into_iter().collect(),
    })
}

/// What an upsert did to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Created,
    Updated,
    Unchanged,
}

/// Inserts or updates a framework's own row (not its competencies); a new one goes last.
pub(crate) fn upsert_framework(
    connection: &Connection,
    framework: &Framework,
) -> Result<Change, StoreError> {
    let existing: Option<(String, Option<String>, Option<String>)> = connection
        .query_row(
            "SELECT name, publisher, url FROM frameworks WHERE id = ?1",
            [&framework.id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let wanted = (
        framework.name.clone(),
        framework.publisher.clone(),
        framework.url.clone(),
    );
    let change = match existing {
        Some(existing) if existing == wanted => return Ok(Change::Unchanged),
        Some(_) => Change::Updated,
        None => Change::Created,
    };
    connection.execute(
        "INSERT INTO frameworks (id, name, publisher, url, position) \
         VALUES (?1, ?2, ?3, ?4, (SELECT coalesce(max(position), 0) + 1 FROM frameworks)) \
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, publisher = excluded.publisher, url = excluded.url",
        params![framework.id, framework.name, framework.publisher, framework.url],
    )?;
    Ok(change)
}

/// Inserts or updates one competency, keyed on framework and code.
pub(crate) fn upsert_competency(
    connection: &Connection,
    framework: &str,
    parent: Option<&str>,
    competency: &Competency,
    position: i64,
) -> Result<Change, StoreError> {
    type Row = (Option<String>, String, Option<String>, i64);
    let existing: Option<Row> = connection
        .query_row(
            "SELECT parent_code, title, description, position FROM competencies WHERE framework = ?1 AND code = ?2",
            [framework, &competency.code],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    let wanted: Row = (
        parent.map(str::to_owned),
        competency.title.clone(),
        competency.description.clone(),
        position,
    );
    let change = match existing {
        Some(existing) if existing == wanted => return Ok(Change::Unchanged),
        Some(_) => Change::Updated,
        None => Change::Created,
    };
    connection.execute(
        "INSERT INTO competencies (framework, code, parent_code, title, description, position) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT(framework, code) DO UPDATE SET parent_code = excluded.parent_code, \
             title = excluded.title, description = excluded.description, position = excluded.position",
        params![framework, competency.code, parent, competency.title, competency.description, position],
    )?;
    Ok(change)
}

/// All active providers (applications waiting for approval are left out), in id order.
pub(crate) fn read_providers(connection: &Connection) -> Result<Vec<Provider>, StoreError> {
    read_providers_where(connection, "active = 1", [])
}

/// One active provider by id.
pub(crate) fn read_provider(
    connection: &Connection,
    id: &str,
) -> Result<Option<Provider>, StoreError> {
    Ok(read_providers_where(connection, "active = 1 AND id = ?1", [id])?.pop())
}

/// Providers that applied and wait for an administrator, in id order.
pub(crate) fn read_applicants(connection: &Connection) -> Result<Vec<Provider>, StoreError> {
    read_providers_where(connection, "active = 0", [])
}

fn read_providers_where(
    connection: &Connection,
    filter: &str,
    parameters: impl rusqlite::Params,
) -> Result<Vec<Provider>, StoreError> {
    let sql = format!(
        "SELECT id, name, kind, description, website, email, region, country FROM providers WHERE {filter} ORDER BY id"
    );
    let mut statement = connection.prepare(&sql)?;
    let providers = statement
        .query_map(parameters, |row| {
            let kind: String = row.get(2)?;
            Ok(Provider {
                id: row.get(0)?,
                name: row.get(1)?,
                kind: kind.parse().map_err(|message: String| {
                    rusqlite::Error::FromSqlConversionFailure(
                        2,
                        rusqlite::types::Type::Text,
                        message.into(),
                    )
                })?,
                description: row.get(3)?,
                website: row.get(4)?,
                email: row.get(5)?,
                region: row.get(6)?,
                country: row.get(7)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(providers)
}

/// Inserts or updates one provider.
pub(crate) fn upsert_provider(
    connection: &Connection,
    provider: &Provider,
    now: &str,
) -> Result<Change, StoreError> {
    let existing = read_providers_where(connection, "id = ?1", [&provider.id])?.pop();
    let change = match existing {
        Some(existing) if existing == *provider => return Ok(Change::Unchanged),
        Some(_) => Change::Updated,
        None => Change::Created,
    };
    connection.execute(
        "INSERT INTO providers (id, name, kind, description, website, email, region, country, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) \
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
             description = excluded.description, website = excluded.website, email = excluded.email, \
             region = excluded.region, country = excluded.country, updated_at = excluded.updated_at",
        params![
            provider.id,
            provider.name,
            provider.kind.as_str(),
            provider.description,
            provider.website,
            provider.email,
            provider.region,
            provider.country,
            now
        ],
    )?;
    Ok(change)
}
