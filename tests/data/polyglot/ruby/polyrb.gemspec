Gem::Specification.new do |spec|
  spec.name = "polyrb"
  spec.version = "0.1.0"
  spec.summary = "Ruby over polycore's C ABI (fiddle)"
  spec.authors = ["covgap"]
  spec.files = ["lib/polyrb.rb"]
end
