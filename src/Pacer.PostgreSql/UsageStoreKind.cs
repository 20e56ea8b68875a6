namespace Pacer.PostgreSql;

/// <summary>The stores a usage ledger can live in.</summary>
public enum UsageStoreKind
{
    /// <summary>An embedded SQLite file.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server.</summary>
    PostgreSql,
}
