namespace Nautilus.Store.Tests;

/// <summary>Tests that each get a fresh data directory (<see cref="DataDirectory"/>), removed afterwards.</summary>
public abstract class DataDirectoryTests
{
    protected string DataDirectory { get; private set; } = null!;

    [SetUp]
    public void CreateDataDirectory() => DataDirectory = TestSupport.NewDataDirectory();

    [TearDown]
    public void RemoveDataDirectory()
    {
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
