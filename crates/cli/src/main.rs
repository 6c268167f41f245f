fn main() -> std::process::ExitCode {
    signet_cli::main()
}
