namespace Pacer.Cli.Run;

/// <summary>The results file cannot be used as it is.</summary>
internal sealed class ResultsFileException(string message) : Exception(message);
