fn main() -> std::process::ExitCode {
    presales::cli::run()
}
