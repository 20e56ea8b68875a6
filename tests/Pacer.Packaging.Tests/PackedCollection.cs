namespace Pacer.Packaging.Tests;

/// <summary>The tests of what was packed (the libraries and the tool) share one pack: it is the slow part.</summary>
[CollectionDefinition]
public sealed class PackedCollection : ICollectionFixture<PackedLibraries>;
