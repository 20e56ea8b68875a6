namespace Pacer.Usage;

/// <summary>SQLite-specific durability settings of <see cref="SqliteUsageLedger"/>.</summary>
public sealed record SqliteLedgerOptions
{
    /// <summary>Gets how hard each commit waits for the disk.</summary>
    /// <value>The default value is <see cref="SqliteSynchronous.Normal"/>.</value>
    public SqliteSynchronous Synchronous { get; init; } = SqliteSynchronous.Normal;
}

/// <summary>SQLite's <c>synchronous</c> setting in WAL mode.</summary>
public enum SqliteSynchronous
{
    /// <summary>Commits survive a process crash; the last ones may be lost to a power cut or OS crash. Fast.</summary>
    Normal,

    /// <summary>Every commit is synced to disk before it returns; survives power cuts. Slower.</summary>
    Full,
}
