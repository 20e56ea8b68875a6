namespace Pacer.Cli.Admin;

/// <summary>The admin API refused or could not be reached.</summary>
internal sealed class AdminException(string message) : Exception(message);
