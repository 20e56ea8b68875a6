using Microsoft.Data.Sqlite;
using Pacer.Usage;

namespace Pacer.TestSupport;

/// <summary>
/// A SQLite usage ledger on a file in a temporary folder of its own, opened within a bound; disposing closes the
/// ledger (its buffered records written) and then removes the folder.
/// </summary>
internal sealed class TempLedger : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly UsageLedgerOptions? _options;

    private TempLedger(string folder, UsageLedgerOptions? options)
    {
        Folder = folder;
        _options = options;
    }

    /// <summary>Gets the folder that holds the ledger's files.</summary>
    public string Folder { get; }

    /// <summary>Gets the open ledger.</summary>
    public SqliteUsageLedger Ledger { get; private set; } = null!;

    private string File => Path.Combine(Folder, "usage.db");

    /// <summary>Opens a new, empty ledger with <paramref name="options"/> (the defaults when none).</summary>
    public static async Task<TempLedger> OpenAsync(UsageLedgerOptions? options = null)
    {
        var store = new TempLedger(Directory.CreateTempSubdirectory("pacer-ledger-").FullName, options);
        try
        {
            await store.OpenLedgerAsync();
        }
        catch
        {
            Directory.Delete(store.Folder, recursive: true);
            throw;
        }

        return store;
    }

    /// <summary>Closes the ledger and opens it again on the same file, as a restarted process would.</summary>
    public async Task ReopenAsync()
    {
        await Ledger.DisposeAsync();
        await OpenLedgerAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Ledger.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }

    private async Task OpenLedgerAsync() =>
        Ledger = await SqliteUsageLedger.OpenAsync(File, _options, cancellationToken: TestContext.Current.CancellationToken).WaitAsync(Bound);
}
